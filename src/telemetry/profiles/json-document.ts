import { ProfileDeviceEntry } from '../../registry/devices/device-directory.service';
import { Rejection } from '../contract/rejection';
import { NormaliseContext, normaliseVehicleSample } from '../contract/samples';
import { RawBatch, emptyBatch } from '../storage/raw-batch';
import { DecodedDelivery } from './decoded-delivery';

/** What one document of a JSON publisher (OwnTracks, Teltonika) becomes. */
export type JsonDocumentOutcome = { kind: 'sample' | 'connection'; rows: RawBatch } | { kind: 'ignored' } | { kind: 'rejected'; rejection: Rejection };

/**
 * A decoded JSON document as rows for the store, through the contract's own checks: the ingest and
 * the dead-letter replay both go this way, so a replayed OwnTracks or Teltonika message becomes what
 * it would have become had its device been registered when it arrived.
 */
export function jsonDocumentRows(decoded: DecodedDelivery, device: ProfileDeviceEntry, receivedAt: number, context: NormaliseContext): JsonDocumentOutcome {
  const rows = emptyBatch();
  switch (decoded.kind) {
    case 'ignored':
      return { kind: 'ignored' };
    case 'connection':
      rows.connectionEvents.push({ deviceKind: device.kind, deviceRef: device.id, ts: decoded.ts ?? receivedAt, receivedAt, state: decoded.state });
      return { kind: 'connection', rows };
    case 'invalid':
      // The decoders say "malformed JSON" where the payload is no JSON at all; everything else breaks the publisher's schema.
      return { kind: 'rejected', rejection: new Rejection(decoded.detail.includes('malformed JSON') ? 'malformed_json' : 'schema_violation', decoded.detail) };
    case 'telemetry': {
      // A document that held only the publisher's time knows nothing: no sample, and no fault of the device's.
      if (Object.keys(decoded.body).every((field) => field === 'ts')) return { kind: 'ignored' };
      try {
        rows.vehicleSamples.push(Object.assign(normaliseVehicleSample(decoded.body, context), { vehicleId: device.id }));
      } catch (error) {
        if (!(error instanceof Rejection)) throw error;
        // Units and ranges are the contract's; the detail says which publisher sent the value.
        return { kind: 'rejected', rejection: new Rejection(error.reason, `${device.profile}: ${error.detail}`) };
      }
      return { kind: 'sample', rows };
    }
  }
}
