/**
 * The dashboard's shell: sign-in, the header with navigation and language, and a hash router
 * (#/fleet, #/vehicles/<id>, #/cooperative, #/cooperative/<organization id>, #/climate) so that
 * the server only ever serves `/`.
 */
import { ApiClient, ApiError, KEY_STORAGE, Me, Role } from './api-client';
import { h } from './dom';
import { setReportTimeZone } from './format';
import { Lang, MessageKey, label, lang, setLang, t } from './i18n';
import { mountAlertBadge } from './views/alerts-badge';
import { fleetBoard } from './views/fleet-board';
import { signInView } from './views/sign-in';
import { ViewContext, ViewCleanup, loadError } from './views/view';

const LANG_STORAGE = 'klimaklok.lang';

type ViewName = 'fleet' | 'vehicle' | 'cooperative' | 'climate' | 'alerts' | 'subsidy';
type View = (main: HTMLElement, context: ViewContext, id?: string) => ViewCleanup;

/**
 * The views other than the board, loaded when first opened. The board is in the first bundle
 * (fleet managers open on it); the others, and Chart.js that only they use, are left out of it
 * so that the board's page has less script to load and run.
 */
const LATER_VIEWS: Record<Exclude<ViewName, 'fleet'>, () => Promise<View>> = {
  vehicle: async () => {
    const { vehiclePage } = await import('./views/vehicle-page');
    return (main, context, id) => vehiclePage(main, context, id!); // the route's id: the vehicle's
  },
  cooperative: async () => (await import('./views/cooperative')).cooperativeView,
  climate: async () => (await import('./views/climate')).climateView,
  alerts: async () => (await import('./views/alerts')).alertsView,
  subsidy: async () => (await import('./views/subsidy-overview')).subsidyOverviewView,
};

/** Which views each role may open; the API enforces the same rules, this only avoids dead ends. */
const VIEWS_BY_ROLE: Record<Role, ViewName[]> = {
  admin: ['fleet', 'vehicle', 'cooperative', 'climate', 'alerts', 'subsidy'],
  fleet_manager: ['fleet', 'vehicle', 'alerts'],
  climate_office: ['climate', 'cooperative', 'alerts', 'subsidy'],
  cooperative: ['cooperative', 'alerts'],
};
const NAV: Array<{ view: ViewName; text: MessageKey }> = [
  { view: 'fleet', text: 'nav.fleet' },
  { view: 'cooperative', text: 'nav.cooperative' },
  { view: 'climate', text: 'nav.climate' },
  { view: 'alerts', text: 'nav.alerts' },
  { view: 'subsidy', text: 'nav.subsidy' },
];

let session: ViewContext | null = null;
let cleanup: ViewCleanup = undefined;
let stopBadge: (() => void) | undefined;

function main(): HTMLElement {
  return document.getElementById('main')!;
}

async function start() {
  setLang(localStorage.getItem(LANG_STORAGE) === 'en' ? 'en' : 'nb');
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) {
    try {
      session = await signIn(key);
    } catch (error) {
      // A key that no longer works: forget it and show the sign-in form.
      if (error instanceof ApiError && error.status === 401) sessionStorage.removeItem(KEY_STORAGE);
    }
  }
  document.getElementById('skip-link')!.addEventListener('click', (event) => {
    // The hash belongs to the router: move focus to the content without changing it.
    event.preventDefault();
    main().focus();
  });
  window.addEventListener('hashchange', route);
  route();
  ApiClient.forgetEarly(); // the first view has taken over what early.ts asked for
}

async function signIn(key: string): Promise<ViewContext> {
  const client = new ApiClient(key);
  const me: Me = await client.me();
  setReportTimeZone(me.reportTimeZone);
  return { client, me };
}

/** The view a hash names: null for none (go to the role's first view), 'unknown' for anything else. */
function parseHash(): { view: ViewName | null | 'unknown'; id?: string } {
  const hash = location.hash.replace(/\?.*$/, ''); // the board keeps its filters in the query (#/fleet?status=…)
  if (hash === '' || hash === '#' || hash === '#/') return { view: null };
  const vehicle = /^#\/vehicles\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (vehicle) return { view: 'vehicle', id: vehicle[1] };
  const cooperative = /^#\/cooperative\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (cooperative) return { view: 'cooperative', id: cooperative[1] };
  const named = /^#\/(fleet|cooperative|climate|alerts|subsidy)$/.exec(hash);
  return { view: named ? (named[1] as ViewName) : 'unknown' };
}

/** Goes to a hash; the hashchange event renders it, or route() does when the hash stays the same. */
function navigate(hash: string) {
  if (location.hash === hash || (hash === '' && location.hash === '')) route();
  else location.hash = hash;
}

let firstRoute = true;
/** Counts the routes taken: a view whose code arrives after the user went on is not shown. */
let routes = 0;

function route() {
  // After a navigation, move focus to the new content so that keyboard and screen-reader users start there.
  const moveFocus = !firstRoute;
  firstRoute = false;
  const shown = ++routes;
  if (cleanup) cleanup();
  cleanup = undefined;
  document.documentElement.lang = lang();
  document.getElementById('skip-link')!.textContent = t('app.skip');
  renderHeader();
  const target = main();
  target.replaceChildren();
  if (!session) {
    document.title = `${t('signin.heading')} – ${t('app.title')}`;
    signInView(target, async (key) => {
      const signedIn = await signIn(key);
      sessionStorage.setItem(KEY_STORAGE, key);
      session = signedIn;
      navigate(`#/${VIEWS_BY_ROLE[signedIn.me.role][0]}`);
    });
    return;
  }
  const allowed = VIEWS_BY_ROLE[session.me.role];
  const { view, id } = parseHash();
  if (view === null) {
    location.replace(`#/${allowed[0]}`);
    return;
  }
  if (view === 'unknown') {
    target.append(h('h1', {}, t('error.notFound')));
    return;
  }
  if (!allowed.includes(view)) {
    target.append(h('p', { class: 'error', role: 'alert' }, t('error.forbidden')));
    return;
  }
  const show = (render: View, context: ViewContext) => {
    cleanup = render(target, context, id);
    if (moveFocus && !target.contains(document.activeElement)) target.focus();
  };
  if (view === 'fleet') return show(fleetBoard, session);
  target.append(h('p', {}, t('app.loading')));
  const context = session;
  LATER_VIEWS[view]().then(
    (render) => {
      if (shown !== routes) return; // left for another view meanwhile
      target.replaceChildren();
      show(render, context);
    },
    (error) => shown === routes && target.replaceChildren(loadError(error)),
  );
}

function renderHeader() {
  const header = document.getElementById('top')!;
  const language = h(
    'select',
    {
      id: 'language',
      onchange: (event: Event) => {
        const value = (event.target as HTMLSelectElement).value as Lang;
        localStorage.setItem(LANG_STORAGE, value);
        setLang(value);
        route();
        document.getElementById('language')?.focus();
      },
    },
    h('option', { value: 'nb', selected: localStorage.getItem(LANG_STORAGE) !== 'en' }, 'Norsk (bokmål)'),
    h('option', { value: 'en', selected: localStorage.getItem(LANG_STORAGE) === 'en' }, 'English'),
  );
  const parts: Node[] = [h('a', { class: 'brand', href: '#/' }, t('app.title'))];
  if (session) {
    const current = parseHash().view;
    const allowed = VIEWS_BY_ROLE[session.me.role];
    parts.push(
      h(
        'nav',
        { 'aria-label': t('app.nav') },
        h(
          'ul',
          {},
          ...NAV.filter((item) => allowed.includes(item.view)).map((item) =>
            h('li', {}, h('a', { href: `#/${item.view}`, 'aria-current': current === item.view || (item.view === 'fleet' && current === 'vehicle') ? 'page' : null }, t(item.text))),
          ),
        ),
      ),
      h('span', { class: 'who', id: 'signed-in-as' }, t('role.signedInAs', { role: label('role', session.me.role) })),
    );
  }
  parts.push(h('span', { class: 'language' }, h('label', { for: 'language' }, t('app.language')), language));
  if (session) {
    parts.push(
      h(
        'button',
        {
          type: 'button',
          id: 'sign-out',
          onclick: () => {
            sessionStorage.removeItem(KEY_STORAGE);
            session = null;
            navigate('');
          },
        },
        t('app.signOut'),
      ),
    );
  }
  header.replaceChildren(...parts);
  stopBadge?.();
  const alertsLink = header.querySelector<HTMLElement>('a[href="#/alerts"]');
  stopBadge = session && alertsLink ? mountAlertBadge(alertsLink, session.client) : undefined;
}

void start();
