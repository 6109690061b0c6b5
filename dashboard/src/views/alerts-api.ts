/** The alert, rule and delivery calls of the dashboard (src/alerts); the types are the API's (api-types.ts). */
import { ApiClient } from '../api-client';
import { Answer, PostBody, Posted, Schemas } from '../api-types';

export type Alert = Schemas['Alert'];
export type SubjectKind = Alert['subjectKind'];
/** `webhookSecret` only in the answer that created the webhook. */
export type AlertRule = Posted<'/api/v1/alert-rules'>;
export type Delivery = Schemas['DeliveryRecord'];
export type NewRule = PostBody<'/api/v1/alert-rules'>;

export const alertsApi = (client: ApiClient) => ({
  alerts: (state: 'open' | 'resolved', limit: number) => client.fetchJson<Answer<'/api/v1/alerts'>>('alerts', { state, limit }).then((page) => page.items),
  summary: () => client.fetchJson<Answer<'/api/v1/alerts/summary'>>('alerts/summary'),
  acknowledge: (id: string, comment: string) => client.send<Alert>('POST', `alerts/${encodeURIComponent(id)}/acknowledge`, comment ? { comment } : {}),
  rules: () => client.fetchJson<Answer<'/api/v1/alert-rules'>>('alert-rules').then((page) => page.items),
  createRule: (rule: NewRule) => client.send<AlertRule>('POST', 'alert-rules', rule),
  setEnabled: (id: string, enabled: boolean) => client.send<AlertRule>('PATCH', `alert-rules/${encodeURIComponent(id)}`, { enabled }),
  deleteRule: (id: string) => client.send<void>('DELETE', `alert-rules/${encodeURIComponent(id)}`),
  deliveries: () => client.fetchJson<Answer<'/api/v1/deliveries'>>('deliveries', { limit: 50 }).then((page) => page.items),
  stream: (onChange: () => void, onOpen: () => void, signal: AbortSignal) => client.streamEvents('alerts/stream', (type) => type === 'alerts' && onChange(), onOpen, signal),
});
