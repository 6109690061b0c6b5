/**
 * The subsidy follow-up parts of a cooperative's page: the period picker (its grants' follow-up
 * periods, years, months), submitting the chosen period's report after a confirmation that shows
 * what is submitted, the receipt (a PDF made by the API), and the status of each follow-up period
 * and each submission.
 */
import { ApiClient, ChargingUsageReport } from '../api-client';
import { emptyState, errorBox, field, h, wrappedTable } from '../dom';
import { MISSING, addDays, addMonths, formatDateTime, formatDay, formatMonth, formatNumber, formatPercent, formatQuantity } from '../format';
import { MessageKey, lang, t } from '../i18n';
import { FollowUp, FollowUpStatus, GrantFollowUp, SubmittedReport, subsidyApi } from './subsidy-api';

export interface Period {
  from: string;
  /** Exclusive. */
  to: string;
}

export const periodValue = (p: Period) => `${p.from}/${p.to}`;

export function parsePeriod(value: string): Period {
  const [from, to] = value.split('/');
  return { from, to };
}

/** The last day of a period (its `to` is exclusive). */
export function lastDay(to: string): string {
  return addDays(to, -1);
}

/** "12.03.2018–11.03.2019"; a calendar month or year is written as such. */
export function periodLabel(p: Period): string {
  if (/-01-01$/.test(p.from) && p.to === `${Number(p.from.slice(0, 4)) + 1}-01-01`) return p.from.slice(0, 4);
  if (/-01$/.test(p.from) && p.to === `${addMonths(p.from.slice(0, 7), 1)}-01`) return formatMonth(p.from.slice(0, 7));
  return `${formatDay(p.from)}–${formatDay(lastDay(p.to))}`;
}

/**
 * The period picker: the follow-up periods of each grant first, then calendar years and months
 * from the first grant (at least the last two years) to today.
 */
export function periodPicker(followUp: FollowUp, chosen: Period, onChange: (p: Period) => void): HTMLElement {
  const today = followUp.today;
  const firstDay = [...followUp.grants.map((g) => g.grantedOn), `${Number(today.slice(0, 4)) - 2}-01-01`].sort()[0];
  const years: Period[] = [];
  for (let y = Number(today.slice(0, 4)); y >= Number(firstDay.slice(0, 4)); y--) years.push({ from: `${y}-01-01`, to: `${y + 1}-01-01` });
  const months: Period[] = [];
  for (let m = today.slice(0, 7); m >= firstDay.slice(0, 7); m = addMonths(m, -1)) months.push({ from: `${m}-01`, to: `${addMonths(m, 1)}-01` });
  const option = (p: Period, text: string) => h('option', { value: periodValue(p), selected: periodValue(p) === periodValue(chosen) }, text);
  const groups = [
    ...followUp.grants.map((g) =>
      h('optgroup', { label: t('follow.periodsOf', { reference: g.reference }) }, ...g.periods.map((p) => option(p, `${g.reference}: ${periodLabel(p)} (${statusText(p.status)})`))),
    ),
    h('optgroup', { label: t('follow.years') }, ...years.map((p) => option(p, periodLabel(p)))),
    h('optgroup', { label: t('follow.months') }, ...months.map((p) => option(p, periodLabel(p)))),
  ];
  return h(
    'div',
    { class: 'filters' },
    field('coop-period', t('follow.period'), h('select', { id: 'coop-period', onchange: (event: Event) => onChange(parsePeriod((event.target as HTMLSelectElement).value)) }, ...groups)),
  );
}

export function statusText(status: FollowUpStatus): string {
  return t(`follow.status.${status}` as MessageKey);
}

function statusBadge(status: FollowUpStatus): HTMLElement {
  return h('span', { class: `status follow-${status}`, 'data-follow-status': status }, statusText(status));
}

function receiptButton(client: ApiClient, submission: { id: string; from: string; to: string }, status: HTMLElement): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      'data-receipt': submission.id,
      onclick: () => {
        status.replaceChildren();
        subsidyApi(client)
          .receipt(submission.id, lang(), `kvittering-${submission.from}-${lastDay(submission.to)}.pdf`)
          .catch((error: Error) => status.replaceChildren(errorBox(t('export.failed', { message: error.message }))));
      },
    },
    t('follow.receipt', { period: periodLabel(submission) }),
  );
}

/**
 * Submitting the chosen period: a submitted period shows when it was submitted and its receipt;
 * an open one a button that first shows, in a dialog, exactly what will be submitted.
 */
export function submitPart(client: ApiClient, organizationName: string, followUp: FollowUp, period: Period, report: ChargingUsageReport, onSubmitted: () => void): Node[] {
  const status = h('div', { 'aria-live': 'polite', id: 'submit-status' });
  const heading = h('h3', { id: 'submit-heading' }, t('follow.submitHeading'));
  const done = followUp.submissions.find((s) => s.from === period.from && s.to === period.to);
  if (done) {
    return [
      heading,
      h('p', { role: 'status', id: 'submitted-note' }, t('follow.alreadySubmitted', { time: formatDateTime(done.submittedAt), id: done.id })),
      receiptButton(client, done, status),
      status,
    ];
  }
  if (period.to > followUp.today) return [heading, h('p', { class: 'note' }, t('follow.notEnded', { period: periodLabel(period) }))];
  const grants = [...new Set(report.chargePoints.map((cp) => cp.subsidyGrantReference).filter(Boolean))].join(', ') || MISSING;
  const fact = (term: string, value: string) => [h('dt', {}, term), h('dd', {}, value)];
  const confirm = h('button', { type: 'submit', id: 'submit-confirm', value: 'confirm' }, t('follow.confirm'));
  const dialog = h(
    'dialog',
    { id: 'submit-dialog', 'aria-labelledby': 'submit-dialog-heading' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'submit-dialog-heading' }, t('follow.confirmHeading')),
      h('p', {}, t('follow.confirmIntro')),
      h(
        'dl',
        { class: 'facts', id: 'submit-summary' },
        ...fact(t('coop.pickOrganization'), organizationName),
        ...fact(t('follow.period'), `${periodLabel(period)} (${formatDay(period.from)}–${formatDay(lastDay(period.to))})`),
        ...fact(t('col.reference'), grants),
        ...fact(t('coop.chargePoints'), formatNumber(report.total.chargePoints)),
        ...fact(t('col.sessions'), formatNumber(report.total.sessions)),
        ...fact(t('col.energy'), formatQuantity(report.total.energyKwh, 'kWh', 1)),
        ...fact(t('col.utilization'), formatPercent(report.total.utilizationPct, 1)),
        ...fact(t('col.availability'), formatPercent(report.total.availabilityPct, 1)),
        ...fact(t('col.users'), formatNumber(report.total.uniqueUsers)),
        ...fact(t('col.enabledAvoided'), formatQuantity(report.total.enabledAvoidedKg, 'kg CO₂e', 1)),
      ),
      h('p', { class: 'note' }, t('follow.frozen')),
      h('div', { class: 'dialog-buttons' }, confirm, document.createTextNode(' '), h('button', { type: 'submit', value: 'cancel', id: 'submit-cancel' }, t('follow.cancel'))),
    ),
  );
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'confirm') return open.focus();
    status.replaceChildren(h('p', {}, t('follow.submitting')));
    subsidyApi(client)
      .submit(period.from, period.to)
      .then(
        (submission) => {
          status.replaceChildren(
            h('p', { role: 'status', id: 'submitted-note' }, t('follow.submitted', { time: formatDateTime(submission.submittedAt), id: submission.id })),
            receiptButton(client, submission, h('div', {})),
          );
          // Submitted: the button that submitted goes; focus moves to the receipt.
          open.remove();
          (status.querySelector('button') as HTMLElement).focus();
          onSubmitted();
        },
        (error: Error) => status.replaceChildren(errorBox(t('follow.submitFailed', { message: error.message }))),
      );
  });
  const open = h(
    'button',
    {
      type: 'button',
      id: 'submit-open',
      onclick: () => {
        dialog.returnValue = '';
        dialog.showModal();
        confirm.focus();
      },
    },
    t('follow.submitButton', { period: periodLabel(period) }),
  );
  return [heading, h('p', {}, t('follow.submitIntro')), open, dialog, status];
}

/** Each grant's follow-up periods with deadline and status, and every submitted report with its receipt. */
export function followUpSection(client: ApiClient, followUp: FollowUp): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  const submissionOf = new Map(followUp.submissions.map((s) => [s.id, s]));
  const grantTable = (g: GrantFollowUp) =>
    wrappedTable(
      t('follow.periodsOf', { reference: g.reference }),
      [{ text: t('follow.period') }, { text: t('follow.deadline') }, { text: t('coop.status') }, { text: t('follow.submittedAt') }, { text: t('follow.receiptColumn') }],
      g.periods.map((p) => {
        const submission = p.submissionId ? submissionOf.get(p.submissionId) : undefined;
        return h(
          'tr',
          { 'data-period': periodValue(p) },
          h('th', { scope: 'row' }, periodLabel(p)),
          h('td', {}, formatDay(p.deadline)),
          h('td', {}, statusBadge(p.status)),
          h('td', {}, p.submittedAt ? formatDateTime(p.submittedAt) : MISSING),
          h('td', {}, submission ? receiptButton(client, submission, status) : MISSING),
        );
      }),
    );
  const submissions = (items: SubmittedReport[]) =>
    items.length === 0
      ? emptyState(t('follow.noSubmissions'))
      : wrappedTable(
          t('follow.submissions'),
          [{ text: t('follow.period') }, { text: t('follow.submittedAt') }, { text: t('coop.status') }, { text: t('follow.receiptColumn') }],
          items.map((s) => {
            const period = followUp.grants.flatMap((g) => g.periods).find((p) => p.submissionId === s.id);
            return h(
              'tr',
              { 'data-submission-id': s.id },
              h('th', { scope: 'row' }, periodLabel(s)),
              h('td', {}, formatDateTime(s.submittedAt)),
              h('td', {}, period ? statusBadge(period.status) : t('follow.notFollowUpPeriod')),
              h('td', {}, receiptButton(client, s, status)),
            );
          }),
        );
  return h(
    'section',
    { 'aria-labelledby': 'follow-heading', id: 'follow-up' },
    h('h2', { id: 'follow-heading' }, t('follow.heading')),
    h('p', { class: 'note' }, t('follow.rule', { days: followUp.deadlineDays })),
    ...(followUp.grants.length === 0 ? [emptyState(t('coop.noGrants'))] : followUp.grants.map(grantTable)),
    h('h3', {}, t('follow.submissions')),
    submissions(followUp.submissions),
    status,
  );
}

/** The grants with the end of follow-up and the next deadline. */
export function grantsTable(followUp: FollowUp): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'grants-heading' },
    h('h2', { id: 'grants-heading' }, t('coop.grants')),
    followUp.grants.length === 0
      ? emptyState(t('coop.noGrants'))
      : wrappedTable(
          t('coop.grants'),
          [
            { text: t('col.reference') },
            { text: t('col.grantedOn') },
            { text: t('col.amount'), numeric: true },
            { text: t('col.chargePointCount'), numeric: true },
            { text: t('follow.endsOn') },
            { text: t('follow.nextDeadline') },
          ],
          followUp.grants.map((g) =>
            h(
              'tr',
              { 'data-grant': g.reference },
              h('th', { scope: 'row' }, g.reference),
              h('td', {}, formatDay(g.grantedOn)),
              h('td', { class: 'num' }, formatQuantity(g.amountNok, 'kr', 0)),
              h('td', { class: 'num' }, formatNumber(g.chargePointCount)),
              h('td', { 'data-follow-up-ends': g.followUpEndsOn }, formatDay(g.followUpEndsOn)),
              h('td', {}, g.nextDeadline ? formatDay(g.nextDeadline) : MISSING),
            ),
          ),
        ),
  );
}
