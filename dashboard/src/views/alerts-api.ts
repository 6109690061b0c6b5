/** The alert, rule and delivery calls of the dashboard (src/alerts); types follow the API's answers. */
import { ApiClient } from '../api-client';

export type SubjectKind = 'vehicle' | 'charge_point' | 'budget';

export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  kind: string;
  subjectKind: SubjectKind;
  subjectLabel: string;
  message: string;
  openedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgeComment: string | null;
}

export interface AlertRule {
  id: string;
  kind: string;
  subjectKind: SubjectKind;
  name: string;
  organizationId: string | null;
  params: Record<string, number | string>;
  resolveAfterSeconds: number;
  enabled: boolean;
  webhookOrigin: string | null;
  emailTo: string[];
  /** Only in the answer that created the webhook. */
  webhookSecret?: string;
}

export interface Delivery {
  id: string;
  kind: 'cooperative_charging_usage' | 'climate_fleet_kpis';
  period: string;
  recipient: string;
  dueAt: string;
  status: 'pending' | 'failed' | 'delivered';
  attempts: number;
  attachment: string | null;
  lastError: string | null;
  deliveredAt: string | null;
}

export interface NewRule {
  kind: string;
  subjectKind?: SubjectKind;
  name: string;
  params: Record<string, number | string>;
  resolveAfterSeconds?: number;
  webhookUrl?: string;
  emailTo?: string[];
}

export const alertsApi = (client: ApiClient) => ({
  alerts: (state: 'open' | 'resolved', limit: number) => client.fetchJson<{ items: Alert[] }>('alerts', { state, limit }).then((page) => page.items),
  summary: () => client.fetchJson<{ open: number; unacknowledged: number }>('alerts/summary'),
  acknowledge: (id: string, comment: string) => client.send<Alert>('POST', `alerts/${encodeURIComponent(id)}/acknowledge`, comment ? { comment } : {}),
  rules: () => client.fetchJson<{ items: AlertRule[] }>('alert-rules').then((page) => page.items),
  createRule: (rule: NewRule) => client.send<AlertRule>('POST', 'alert-rules', rule),
  setEnabled: (id: string, enabled: boolean) => client.send<AlertRule>('PATCH', `alert-rules/${encodeURIComponent(id)}`, { enabled }),
  deleteRule: (id: string) => client.send<void>('DELETE', `alert-rules/${encodeURIComponent(id)}`),
  deliveries: () => client.fetchJson<{ items: Delivery[] }>('deliveries', { limit: 50 }).then((page) => page.items),
  stream: (onChange: () => void, onOpen: () => void, signal: AbortSignal) => client.streamEvents('alerts/stream', (type) => type === 'alerts' && onChange(), onOpen, signal),
});
