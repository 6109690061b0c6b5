import { ConnectionState, MeterSample, StatusSample, TransactionEvent, VehicleSample } from '../contract/samples';
import { DeviceKind } from '../contract/topics';
import { RejectionReason } from '../contract/rejection';
import { DayRanges } from '../../platform/time/day-ranges';

/** Rows of one or more MQTT messages, written together in one statement (one transaction). */
export interface RawBatch {
  vehicleSamples: Array<VehicleSample & { vehicleId: string }>;
  statusSamples: Array<StatusSample & { chargePointId: string }>;
  meterSamples: Array<MeterSample & { chargePointId: string }>;
  transactionEvents: Array<TransactionEvent & { chargePointId: string }>;
  /** `ts`: the time the message states, else its receipt (amendment 1.1); both are kept. */
  connectionEvents: Array<{ deviceKind: DeviceKind; deviceRef: string; ts: number; receivedAt: number; state: ConnectionState }>;
  deadLetters: DeadLetterRow[];
  /** TeslaMate cars' cumulative charged energy after these samples (see profiles/teslamate/charge-totals.ts). */
  chargeTotals: ChargeTotalRow[];
}

export interface ChargeTotalRow {
  vehicleId: string;
  closedSessionsKwh: number;
  sessionKwh: number;
  /** Grows with every change of the car's total: a batch committed after a newer one does not overwrite it. */
  version: number;
}

export interface DeadLetterRow {
  /** Natural key (see deadLetterKey): a re-delivered message's dead letters are not written twice. */
  key: Buffer;
  receivedAt: number;
  topic: string;
  deviceId: string | null;
  reason: RejectionReason;
  detail: string;
  /** Position of the sample in an array payload; null for the whole message. */
  sampleIndex: number | null;
  /** At most 4 KiB of the payload (of the sample, for one sample of an array); a message refused for its device whole. */
  payload: Buffer;
  payloadBytes: number;
}

/** How many rows of each stream were new; the rest were duplicates of stored samples. */
export interface RawBatchResult {
  inserted: number;
  duplicates: number;
  deadLetters: number;
}

export function emptyBatch(): RawBatch {
  return { vehicleSamples: [], statusSamples: [], meterSamples: [], transactionEvents: [], connectionEvents: [], deadLetters: [], chargeTotals: [] };
}

export function sampleRows(batch: RawBatch): number {
  return batch.vehicleSamples.length + batch.statusSamples.length + batch.meterSamples.length + batch.transactionEvents.length + batch.connectionEvents.length;
}

/**
 * Adds the UTC days (as day numbers) a batch touched, per vehicle and per charge point: what
 * derivation must look at again after the batch committed.
 */
export function addTouchedDays(batch: RawBatch, vehicleDays: DayRanges, chargePointDays: DayRanges): void {
  const dayOf = (ms: number) => Math.floor(ms / 86_400_000);
  for (const s of batch.vehicleSamples) vehicleDays.addDayNumber(s.vehicleId, dayOf(s.ts));
  for (const s of batch.statusSamples) chargePointDays.addDayNumber(s.chargePointId, dayOf(s.ts));
  for (const s of batch.meterSamples) chargePointDays.addDayNumber(s.chargePointId, dayOf(s.ts));
  for (const s of batch.transactionEvents) chargePointDays.addDayNumber(s.chargePointId, dayOf(s.ts));
  for (const e of batch.connectionEvents) (e.deviceKind === 'vehicle' ? vehicleDays : chargePointDays).addDayNumber(e.deviceRef, dayOf(e.ts)); // the day it happened (a backfilled event states it)
}

export function appendBatch(target: RawBatch, source: RawBatch): void {
  target.vehicleSamples.push(...source.vehicleSamples);
  target.statusSamples.push(...source.statusSamples);
  target.meterSamples.push(...source.meterSamples);
  target.transactionEvents.push(...source.transactionEvents);
  target.connectionEvents.push(...source.connectionEvents);
  target.deadLetters.push(...source.deadLetters);
  target.chargeTotals.push(...source.chargeTotals);
}
