import { Sample, TimeWindow, readTimestamp } from '../telemetry/contract/fields';
import { MeterSample, NormaliseContext, StatusSample, TransactionEvent, normaliseMeterSample, normaliseStatusSample, normaliseTransactionEvent } from '../telemetry/contract/samples';

/**
 * OCPP 1.6J payloads (already valid against their JSON schema) to the samples of the telemetry
 * contract, so that they are stored, deduplicated and derived exactly as MQTT ones are
 * (shared/spec/ocpp-1.6j.md). Each function throws the contract's Rejection for what the contract
 * refuses (a timestamp in the future, beyond the backfill horizon, a negative register).
 */

/** Actions a charge point sends to a central system in OCPP 1.6 (with the security whitepaper's). */
export const CHARGE_POINT_ACTIONS = [
  'Authorize',
  'BootNotification',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
] as const;
export type ChargePointAction = (typeof CHARGE_POINT_ACTIONS)[number];

/**
 * OCPP 1.6 actions the service knows and does not take: those a central system sends, and the
 * security extension's, which this service does not implement. Answered `NotSupported`; any other
 * name is `NotImplemented`.
 */
export const UNSUPPORTED_ACTIONS: ReadonlySet<string> = new Set([
  'CancelReservation',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetLocalListVersion',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
  'CertificateSigned',
  'DeleteCertificate',
  'ExtendedTriggerMessage',
  'GetInstalledCertificateIds',
  'GetLog',
  'InstallCertificate',
  'LogStatusNotification',
  'SecurityEventNotification',
  'SignCertificate',
  'SignedFirmwareStatusNotification',
  'SignedUpdateFirmware',
]);

export function isChargePointAction(action: string): action is ChargePointAction {
  return (CHARGE_POINT_ACTIONS as readonly string[]).includes(action);
}

type Payload = Record<string, unknown>;

/** OCPP timestamps without an offset are UTC (the spec); the contract's reader wants the offset written. */
const WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

export function ocppTime(value: unknown): unknown {
  return typeof value === 'string' && WITHOUT_OFFSET.test(value) ? `${value}Z` : value;
}

/** A timestamp checked against the contract's window (future tolerance, backfill horizon). */
export function readOcppTimestamp(value: unknown, window: TimeWindow): number {
  return readTimestamp({ ts: ocppTime(value) }, window);
}

export function statusSample(payload: Payload, context: NormaliseContext): StatusSample {
  const sample: Sample = { ts: payload.timestamp === undefined ? context.now : ocppTime(payload.timestamp), connectorId: payload.connectorId, status: payload.status, errorCode: payload.errorCode };
  return Object.assign(normaliseStatusSample(sample, context), { vendorErrorCode: typeof payload.vendorErrorCode === 'string' ? payload.vendorErrorCode : null });
}

export function startEvent(payload: Payload, transactionId: number, context: NormaliseContext): TransactionEvent {
  return normaliseTransactionEvent(
    { ts: ocppTime(payload.timestamp), event: 'start', connectorId: payload.connectorId, transactionId: String(transactionId), meterWh: payload.meterStart, idTag: payload.idTag },
    context,
  );
}

export function stopEvent(payload: Payload, connectorId: number, transactionId: string, context: NormaliseContext): TransactionEvent {
  return normaliseTransactionEvent({ ts: ocppTime(payload.timestamp), event: 'stop', connectorId, transactionId, meterWh: payload.meterStop, idTag: payload.idTag, reason: payload.reason }, context);
}

/** The meter samples of one message, and how many sampled values went to `extra` or could not be read. */
export interface MeterReading {
  samples: MeterSample[];
  /** Sampled values kept in `extra` (other measurands, per-phase values) or not numbers at all: counted. */
  otherValues: number;
}

interface SampledValue {
  value: string;
  measurand?: string;
  unit?: string;
  phase?: string;
  location?: string;
  format?: string;
}

const ENERGY_FACTORS: Record<string, number> = { Wh: 1, kWh: 1000 };
const POWER_FACTORS: Record<string, number> = { W: 1, kW: 1000 };
const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

interface Reading {
  ts: number;
  index: number;
  energyWh?: number;
  powerW?: number;
  socPct?: number;
  extra: Record<string, number>;
}

/**
 * The `meterValue` elements of MeterValues (or StopTransaction's `transactionData`) as meter
 * samples, one per timestamp (elements with the same timestamp are one reading). Energy
 * (`Energy.Active.Import.Register`, the default measurand) in Wh, power (`Power.Active.Import`)
 * in W, `SoC` as socPct; a value with a `phase` is a per-phase figure and never the total: it goes
 * to `extra` with the other measurands. A reading without energy or power is not a meter sample
 * of the contract and is only counted. `onRejected` gets the index of each element the contract
 * refuses (its timestamp, a negative register); the others are kept.
 */
export function meterSamples(meterValues: Payload[], connectorId: number, transactionId: string | null, context: NormaliseContext, onRejected: (index: number, error: unknown) => void): MeterReading {
  const byTime = new Map<number, Reading>();
  let otherValues = 0;
  meterValues.forEach((element, index) => {
    try {
      const ts = readOcppTimestamp(element.timestamp, context);
      const reading = byTime.get(ts) ?? { ts, index, extra: {} };
      for (const value of element.sampledValue as SampledValue[]) {
        if (!NUMBER.test(value.value) || value.format === 'SignedData') {
          otherValues++;
          continue;
        }
        const number = Number(value.value);
        const field = contractField(value);
        if (field && reading[field.name] === undefined) reading[field.name] = number * field.factor;
        else {
          otherValues++;
          reading.extra[extraKey(value)] = number;
        }
      }
      byTime.set(ts, reading);
    } catch (error) {
      onRejected(index, error);
    }
  });
  const samples: MeterSample[] = [];
  for (const reading of byTime.values()) {
    if (reading.energyWh === undefined && reading.powerW === undefined) continue;
    try {
      const sample = normaliseMeterSample({ ts: reading.ts, connectorId, transactionId, energyWh: reading.energyWh, powerW: reading.powerW }, context);
      const socPct = reading.socPct !== undefined && reading.socPct >= 0 && reading.socPct <= 100 ? reading.socPct : null;
      samples.push(Object.assign(sample, { socPct, extra: Object.keys(reading.extra).length > 0 ? reading.extra : null }));
    } catch (error) {
      onRejected(reading.index, error);
    }
  }
  return { samples, otherValues };
}

function contractField(value: SampledValue): { name: 'energyWh' | 'powerW' | 'socPct'; factor: number } | undefined {
  if (value.phase !== undefined) return undefined;
  const measurand = value.measurand ?? 'Energy.Active.Import.Register';
  if (measurand === 'SoC') return { name: 'socPct', factor: 1 };
  // The EV's own figures are not the charge point's meter.
  if (value.location === 'EV') return undefined;
  if (measurand === 'Energy.Active.Import.Register') {
    const factor = ENERGY_FACTORS[value.unit ?? 'Wh'];
    return factor === undefined ? undefined : { name: 'energyWh', factor };
  }
  if (measurand === 'Power.Active.Import') {
    const factor = POWER_FACTORS[value.unit ?? 'W'];
    return factor === undefined ? undefined : { name: 'powerW', factor };
  }
  return undefined;
}

/** `Voltage.L1-N (V)`, `Energy.Active.Import.Register.L2@Inlet (kWh)`: measurand, phase, a location other than the default Outlet, unit as sent. */
function extraKey(value: SampledValue): string {
  let key = value.measurand ?? 'Energy.Active.Import.Register';
  if (value.phase) key += `.${value.phase}`;
  if (value.location && value.location !== 'Outlet') key += `@${value.location}`;
  if (value.unit) key += ` (${value.unit})`;
  return key;
}
