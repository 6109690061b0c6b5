import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-klimaklok-signature';
export const TIMESTAMP_HEADER = 'x-klimaklok-timestamp';
const TIMEOUT_MS = 10_000;

/**
 * The signature a receiver checks: HMAC-SHA256 with the rule's secret over `<timestamp>.<body>`,
 * hex, as `sha256=<hex>`. The timestamp is signed too so that a captured request cannot be
 * replayed later with a fresh one (the scheme of Stripe's and Slack's webhooks).
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Posts one notification; any answer but 2xx, a timeout or a refused connection is an error whose message names neither URL nor secret. */
@Injectable()
export class WebhookSender {
  async send(url: string, secret: string, payload: unknown, now: Date): Promise<void> {
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(now.getTime() / 1000));
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body) },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new Error(`webhook unreachable (${cause})`);
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status >= 300) throw new Error(`webhook answered HTTP ${response.status}`);
  }
}
