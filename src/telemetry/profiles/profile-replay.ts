import { NormaliseContext } from '../contract/samples';
import { RawBatch, emptyBatch } from '../storage/raw-batch';
import { jsonDocumentRows } from './json-document';
import { JSON_DECODERS } from './profile-ingest';
import { ProfileRoutes } from './profile-routes';

/**
 * A publisher profile's dead letter decoded again (telemetry contract amendment 1.1, replay), with
 * today's registry: rows to store, or the reason it is still refused.
 *
 * Only the JSON publishers' documents (OwnTracks, Teltonika) can be replayed: each is a whole
 * message. A one-value-per-topic publisher's dead letter (TeslaMate, OVMS, evcc) is one value of a
 * window that was assembled with others when it arrived; on its own it would become a sample of
 * its own at the same time as its neighbours', so it stays refused as `not_replayable`.
 * Undefined when the topic is no profile's (contract v1 decodes it).
 */
export function replayProfileDelivery(routes: ProfileRoutes, topic: string, payload: Buffer, receivedAt: number, context: NormaliseContext): { rows: RawBatch } | { refused: string } | undefined {
  const route = routes.route(topic);
  if (!route) return undefined;
  if (!('identity' in route) || 'key' in route) return { refused: 'not_replayable' };
  const device = routes.find(route.profile, route.identity);
  if (!device) return { refused: 'unknown_device' };
  const outcome = jsonDocumentRows(JSON_DECODERS[route.profile]!(topic, device.identity, payload), device, receivedAt, context);
  if (outcome.kind === 'rejected') return { refused: outcome.rejection.reason };
  return { rows: outcome.kind === 'ignored' ? emptyBatch() : outcome.rows };
}
