import { TestApp, bearer } from './test-app';
import { aChargePoint } from './builders';

/** Registers a charge point through the API and waits for the ingest's device list to take it. */
export async function registerChargePoint(t: TestApp, organizationId: string, deviceId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const id = (
    await t
      .http()
      .post('/api/v1/chargepoints')
      .set(bearer(t.adminKey))
      .send(aChargePoint(organizationId, { deviceId, commissionedOn: '2026-09-01', ...overrides }))
      .expect(201)
  ).body.id;
  await new Promise((resolve) => setTimeout(resolve, 500)); // the ingest's device list reloads on the registry's notification
  return id;
}

/** Polls `read` until `done` holds, then reads once more after a pause so that a queued re-derivation has settled. */
export async function settled<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return read();
}
