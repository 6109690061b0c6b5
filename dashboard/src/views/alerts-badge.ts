import { ApiClient } from '../api-client';
import { h } from '../dom';
import { alertsApi } from './alerts-api';
import { at } from './alerts-text';

const RETRY_MS = 10_000;

/**
 * The navigation's badge: unacknowledged open alerts, re-read whenever the alert stream says a
 * rule's alerts changed (and after the stream reconnects). Returns how to stop it.
 */
export function mountAlertBadge(link: HTMLElement, client: ApiClient): () => void {
  const api = alertsApi(client);
  const badge = h('span', { class: 'badge', id: 'alert-badge', hidden: true });
  link.append(' ', badge);
  const stop = new AbortController();
  let timer: number | undefined;
  const refresh = async () => {
    try {
      const { unacknowledged } = await api.summary();
      badge.textContent = String(unacknowledged);
      badge.title = at('badge', { count: unacknowledged });
      badge.setAttribute('aria-label', at('badge', { count: unacknowledged }));
      badge.hidden = unacknowledged === 0;
    } catch {
      // the badge is a hint; the view itself shows errors
    }
  };
  const connect = () => {
    if (stop.signal.aborted) return;
    api
      .stream(
        () => void refresh(),
        () => void refresh(),
        stop.signal,
      )
      .catch(() => undefined)
      .finally(() => {
        if (!stop.signal.aborted) timer = window.setTimeout(connect, RETRY_MS);
      });
  };
  connect();
  return () => {
    stop.abort();
    window.clearTimeout(timer);
  };
}
