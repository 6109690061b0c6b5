import { Role } from '../api-client';
import { emptyState, errorBox, field, h, wrappedTable } from '../dom';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { Alert, AlertRule, Delivery, NewRule, SubjectKind, alertsApi } from './alerts-api';
import { at } from './alerts-text';
import { ViewCleanup, ViewContext, loadError } from './view';

const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

/** The thresholds of each rule kind, with the subjects it can watch (src/alerts/rules/kinds); a text parameter may offer choices. */
const KINDS: Array<{ kind: NewRule['kind']; subjects: SubjectKind[]; params: Array<{ name: string; value: number | string; choices?: string[] }> }> = [
  { kind: 'vehicle_offline', subjects: ['vehicle'], params: [{ name: 'minutes', value: 30 }] },
  { kind: 'device_silent', subjects: ['vehicle', 'charge_point'], params: [{ name: 'days', value: 7 }] },
  { kind: 'connector_fault', subjects: ['charge_point'], params: [{ name: 'minutes', value: 60 }] },
  {
    kind: 'availability_below',
    subjects: ['charge_point'],
    params: [
      { name: 'pct', value: 90 },
      { name: 'days', value: 30 },
      { name: 'marginPct', value: 2 },
    ],
  },
  { kind: 'dead_letter_rate', subjects: ['vehicle', 'charge_point'], params: [{ name: 'perHour', value: 10 }] },
  {
    kind: 'budget_status',
    subjects: ['budget'],
    params: [
      { name: 'scope', value: 'fleet' },
      { name: 'status', value: 'off_track', choices: ['off_track', 'at_risk'] },
    ],
  },
];

/** What each role watches (the API enforces it: src/alerts/access.ts). */
const SUBJECTS_BY_ROLE: Record<Role, SubjectKind[]> = {
  admin: ['vehicle', 'charge_point', 'budget'],
  fleet_manager: ['vehicle'],
  cooperative: ['charge_point'],
  climate_office: ['budget'],
};

/**
 * Alerts of the caller's scope: open ones with acknowledgement, history, the rule editor and the
 * delivery history. The lists are re-read whenever the alert stream reports a change.
 */
export function alertsView(main: HTMLElement, { client, me }: ViewContext): ViewCleanup {
  document.title = `${at('heading')} – ${t('app.title')}`;
  const api = alertsApi(client);
  const stop = new AbortController();
  let retry: number | undefined;
  const live = h('p', { class: 'live', id: 'alerts-live', role: 'status' }, t('live.connecting'));
  const openSection = h('section', { id: 'alerts-open' });
  const historySection = h('section', { id: 'alerts-history' });
  const rulesSection = h('section', { id: 'alert-rules' });
  const deliveriesSection = h('section', { id: 'deliveries' });
  const subjects = SUBJECTS_BY_ROLE[me.role];
  main.append(h('h1', {}, at('heading')), live, openSection, historySection, ...(subjects.length ? [rulesSection] : []), ...(me.role === 'fleet_manager' ? [] : [deliveriesSection]));

  const time = (value: string | null) => (value ? formatDateTime(value) : '');

  function acknowledgeCell(alert: Alert): Node {
    if (alert.acknowledgedAt) {
      return h('span', {}, at('by', { who: alert.acknowledgedBy ?? '', when: time(alert.acknowledgedAt) }), alert.acknowledgeComment ? h('br') : null, alert.acknowledgeComment ?? '');
    }
    const comment = h('input', { type: 'text', 'aria-label': `${at('comment')} ${alert.subjectLabel}`, placeholder: at('comment'), maxlength: 2000 });
    const form = h(
      'form',
      {
        class: 'inline',
        onsubmit: (event: Event) => {
          event.preventDefault();
          api.acknowledge(alert.id, comment.value.trim()).then(refresh, (error) => form.append(loadError(error)));
        },
      },
      comment,
      h('button', { type: 'submit' }, at('acknowledge')),
    );
    return form;
  }

  async function renderAlerts() {
    const [open, resolved] = await Promise.all([api.alerts('open', 200), api.alerts('resolved', 50)]);
    openSection.replaceChildren(
      h('h2', {}, at('open')),
      open.length
        ? wrappedTable(
            at('open'),
            [{ text: at('rule') }, { text: at('subject') }, { text: at('condition') }, { text: at('opened') }, { text: at('acknowledged') }],
            open.map((alert) =>
              h(
                'tr',
                { 'data-alert': alert.id },
                h('td', {}, alert.ruleName),
                h('td', {}, alert.subjectLabel),
                h('td', {}, alert.message),
                h('td', {}, time(alert.openedAt)),
                h('td', {}, acknowledgeCell(alert)),
              ),
            ),
          )
        : emptyState(at('noOpen')),
    );
    historySection.replaceChildren(
      h('h2', {}, at('history')),
      resolved.length
        ? wrappedTable(
            at('history'),
            [{ text: at('rule') }, { text: at('subject') }, { text: at('opened') }, { text: at('resolved') }, { text: at('acknowledged') }],
            resolved.map((alert) =>
              h(
                'tr',
                {},
                h('td', {}, alert.ruleName),
                h('td', {}, alert.subjectLabel),
                h('td', {}, time(alert.openedAt)),
                h('td', {}, time(alert.resolvedAt)),
                h('td', {}, alert.acknowledgedAt ? at('by', { who: alert.acknowledgedBy ?? '', when: time(alert.acknowledgedAt) }) : ''),
              ),
            ),
          )
        : emptyState(at('noHistory')),
    );
  }

  function ruleForm(): HTMLElement {
    const kinds = KINDS.filter((k) => k.subjects.some((s) => subjects.includes(s)));
    const kind = h('select', { id: 'rule-kind', onchange: () => renderParams() }, ...kinds.map((k) => h('option', { value: k.kind }, at(`kind.${k.kind}`))));
    const name = h('input', { id: 'rule-name', type: 'text', required: true, maxlength: 200 });
    const params = h('div', { class: 'params' });
    const resolveAfter = h('input', { id: 'rule-resolve-after', type: 'number', min: 0, value: 0 });
    const webhook = h('input', { id: 'rule-webhook', type: 'url' });
    const email = h('input', { id: 'rule-email', type: 'text' });
    const status = h('div', { role: 'status' });
    function renderParams() {
      const spec = KINDS.find((k) => k.kind === kind.value)!;
      const control = (p: (typeof spec.params)[number]) =>
        p.choices
          ? h('select', { id: `param-${p.name}`, name: p.name }, ...p.choices.map((choice) => h('option', { value: choice }, choice)))
          : typeof p.value === 'string'
            ? h('input', { id: `param-${p.name}`, name: p.name, type: 'text', value: p.value, required: true })
            : h('input', { id: `param-${p.name}`, name: p.name, type: 'number', step: 'any', min: 0, value: p.value, required: true });
      params.replaceChildren(...spec.params.map((p) => field(`param-${p.name}`, p.name, control(p))));
    }
    renderParams();
    return h(
      'form',
      {
        id: 'rule-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const spec = KINDS.find((k) => k.kind === kind.value)!;
          const rule: NewRule = {
            kind: spec.kind,
            subjectKind: spec.subjects.find((s) => subjects.includes(s)),
            name: name.value.trim(),
            params: Object.fromEntries(
              [...params.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')].map((input) => [input.name, input.type === 'number' ? Number(input.value) : input.value]),
            ),
            resolveAfterSeconds: Number(resolveAfter.value) || 0,
            ...(webhook.value.trim() ? { webhookUrl: webhook.value.trim() } : {}),
            ...(email.value.trim()
              ? {
                  emailTo: email.value
                    .split(',')
                    .map((a) => a.trim())
                    .filter(Boolean),
                }
              : {}),
          };
          api.createRule(rule).then(
            async (created) => {
              await renderRules();
              if (created.webhookSecret) rulesSection.append(h('p', { class: 'secret', role: 'status' }, at('secret', { secret: created.webhookSecret })));
            },
            (error) => status.replaceChildren(errorBox(error instanceof Error ? error.message : String(error))),
          );
        },
      },
      h('h3', {}, at('newRule')),
      field('rule-kind', at('kind'), kind),
      field('rule-name', at('name'), name),
      params,
      field('rule-resolve-after', at('resolveAfter'), resolveAfter),
      field('rule-webhook', at('webhook'), webhook),
      field('rule-email', at('email'), email),
      h('button', { type: 'submit' }, at('create')),
      status,
    );
  }

  async function renderRules() {
    if (!subjects.length) return;
    const rules = await api.rules();
    const row = (rule: AlertRule) =>
      h(
        'tr',
        { 'data-rule': rule.id },
        h('td', {}, rule.name),
        h('td', {}, at(`kind.${rule.kind}`)),
        h(
          'td',
          {},
          Object.entries(rule.params)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        ),
        h(
          'td',
          {},
          h('input', {
            type: 'checkbox',
            'aria-label': `${at('enabled')} ${rule.name}`,
            checked: rule.enabled,
            onchange: (event: Event) => void api.setEnabled(rule.id, (event.target as HTMLInputElement).checked).then(renderRules),
          }),
        ),
        h('td', {}, h('button', { type: 'button', onclick: () => void api.deleteRule(rule.id).then(refresh) }, at('delete'))),
      );
    rulesSection.replaceChildren(
      h('h2', {}, at('rules')),
      rules.length ? wrappedTable(at('rules'), [{ text: at('name') }, { text: at('kind') }, { text: at('params') }, { text: at('enabled') }, { text: '' }], rules.map(row)) : emptyState(at('noRules')),
      ruleForm(),
    );
  }

  async function renderDeliveries() {
    if (me.role === 'fleet_manager') return;
    const deliveries = await api.deliveries();
    const row = (d: Delivery) =>
      h(
        'tr',
        {},
        h('td', {}, at(`delivery.${d.kind}`)),
        h('td', {}, d.period),
        h('td', {}, d.recipient),
        h('td', {}, d.status + (d.lastError ? ` (${d.lastError})` : '')),
        h('td', { class: 'num' }, d.attempts),
        h('td', {}, time(d.deliveredAt)),
      );
    deliveriesSection.replaceChildren(
      h('h2', {}, at('deliveries')),
      deliveries.length
        ? wrappedTable(
            at('deliveries'),
            [{ text: at('kind') }, { text: at('period') }, { text: at('recipient') }, { text: at('status') }, { text: at('attempts'), numeric: true }, { text: at('resolved') }],
            deliveries.map(row),
          )
        : emptyState(at('noDeliveries')),
    );
  }

  async function refresh() {
    try {
      await Promise.all([renderAlerts(), renderDeliveries()]);
    } catch (error) {
      openSection.replaceChildren(loadError(error));
    }
  }

  let attempt = 0;
  function connect() {
    api
      .stream(
        () => void renderAlerts().catch(() => undefined),
        () => {
          attempt = 0;
          live.textContent = t('live.connected');
          void refresh();
        },
        stop.signal,
      )
      .catch(() => undefined)
      .finally(() => {
        if (stop.signal.aborted) return;
        live.textContent = t('live.lost');
        retry = window.setTimeout(connect, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
      });
  }

  void refresh();
  void renderRules().catch((error) => rulesSection.replaceChildren(loadError(error)));
  connect();
  return () => {
    stop.abort();
    window.clearTimeout(retry);
  };
}
