import { TestApp, bearer } from './test-app';

export interface AlertRow {
  id: string;
  ruleId: string;
  subjectId: string;
  subjectPart: string;
  openedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgeComment: string | null;
}

/** Every alert (open and resolved) of a rule, as its owner sees them through the API. */
export async function alertsOf(t: TestApp, key: string, ruleId: string): Promise<AlertRow[]> {
  return (await t.http().get(`/api/v1/alerts?state=all&ruleId=${ruleId}`).set(bearer(key)).expect(200)).body.items;
}

/** Polls until `done` holds for the rule's alerts. */
export async function waitForAlerts(t: TestApp, key: string, ruleId: string, done: (alerts: AlertRow[]) => boolean, timeoutMs = 20_000): Promise<AlertRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alerts = await alertsOf(t, key, ruleId);
    if (done(alerts)) return alerts;
    if (Date.now() > deadline) throw new Error(`alerts of rule ${ruleId} not as expected: ${JSON.stringify(alerts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
