import { ApiClient, ApiError, Me } from '../api-client';
import { errorBox } from '../dom';
import { t } from '../i18n';

export interface ViewContext {
  client: ApiClient;
  me: Me;
}

/** What a view returns: how to stop its timers and streams when the user leaves it. */
export type ViewCleanup = (() => void) | undefined;

/** An error box for a failed load, with the API's message. */
export function loadError(error: unknown): HTMLElement {
  if (error instanceof ApiError && error.status === 403) return errorBox(t('error.forbidden'));
  return errorBox(t('error.load', { message: error instanceof Error ? error.message : String(error) }));
}

/** Fetches a report file with the key (a plain link could not send it) and saves it; a failure is shown beside the buttons. */
export async function saveFile(client: ApiClient, status: HTMLElement, path: string, query: Record<string, string | number | undefined>, fileName: string): Promise<void> {
  status.replaceChildren();
  try {
    await client.download(path, query, fileName);
  } catch (error) {
    status.replaceChildren(errorBox(t('export.failed', { message: error instanceof Error ? error.message : String(error) })));
  }
}
