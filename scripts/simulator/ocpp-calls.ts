/**
 * A simulated charge point's day as the OCPP 1.6J calls a charge point would send for it
 * (shared/spec/ocpp-1.6j.md): the same events the MQTT path publishes, one call per status change
 * and transaction event, and the meter samples as MeterValues (several meterValue elements per
 * call in a backfill, like a charge point emptying its offline queue; there a transaction's
 * samples ride in its StopTransaction's `transactionData` instead, the values a charge point
 * keeps for the bill, which saves a call or two per session on a point whose calls go one at a
 * time).
 *
 * The central system issues the transaction ids, so a call only names the simulated transaction it
 * belongs to; the client fills in the issued id when it sends the call (see ocpp-client.ts). A
 * transaction that started before the run (a night session, or the history's previous chunk) is
 * opened by re-sending its StartTransaction first: the service answers a re-sent StartTransaction
 * with the id it issued the first time and stores it once, as it must for a charge point that lost
 * the answer.
 */
import type { ChargePointEvent, Session } from './charge-point-day';
import type { SimChargePoint } from './fleet';
import { formatTs } from './oslo-time';
import { hash32 } from './prng';

export type OcppAction = 'BootNotification' | 'Heartbeat' | 'StatusNotification' | 'StartTransaction' | 'StopTransaction' | 'MeterValues';

export interface OcppCall {
  deviceId: string;
  action: OcppAction;
  /** The request; MeterValues and StopTransaction of a transaction get `transactionId` when sent. */
  payload: Record<string, unknown>;
  /** The simulated transaction the call opens (StartTransaction) or belongs to. */
  transaction?: string;
  /** Simulated time of the call: its (first) timestamp. */
  at: number;
  /** Rows the service stores for it in the run's range: meter samples, a status, a transaction event; 0 for a re-sent StartTransaction. */
  samples: number;
}

export const OCPP_SUBPROTOCOL = 'ocpp1.6';

/** What the point says about itself after boot; fictitious but stable per point. */
export function bootNotification(point: SimChargePoint): Record<string, unknown> {
  return {
    chargePointVendor: 'Klimaklok Sim',
    chargePointModel: `AC ${point.connectors}x${point.maxKw} kW`,
    chargePointSerialNumber: `KKS-${hash32(point.deviceId).toString(16).padStart(8, '0').toUpperCase()}`,
    firmwareVersion: '1.6.2-sim',
  };
}

/** A clock-aligned register of the whole point (connector 0) or a transaction's periodic sample. */
function meterValue(event: ChargePointEvent): Record<string, unknown> {
  const context = event.connectorId === 0 ? 'Sample.Clock' : 'Sample.Periodic';
  return {
    timestamp: formatTs(event.ts),
    sampledValue: [
      { value: String(event.fields.energyWh), context, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
      { value: String(event.fields.powerW), context, measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
    ],
  };
}

export interface OcppMapping {
  /** meterValue elements per MeterValues call at most: 1 when paced, more in a backfill. */
  maxSamples: number;
  /** A session the point still remembers, to re-send the StartTransaction of one begun before the run. */
  session(transactionId: string): Session | undefined;
}

/**
 * One point's calls, a day at a time; keeps which transactions it has opened in this run. Days must
 * be given in order, each with its events in time order.
 */
export class OcppCallMapper {
  private readonly opened = new Set<string>();
  /** Backfill: meter values of open transactions, kept for their StopTransaction's transactionData. */
  private readonly held = new Map<string, { connectorId: number; at: number; values: Record<string, unknown>[] }>();

  constructor(
    private readonly deviceId: string,
    private readonly mapping: OcppMapping,
  ) {}

  day(events: ChargePointEvent[]): OcppCall[] {
    const calls: OcppCall[] = [];
    // Backfill: a connector's samples of the day share MeterValues calls, each sent where its
    // first sample stands; a transaction's samples wait for its StopTransaction (as many as a
    // call takes, the rest go as MeterValues).
    const open = new Map<number, OcppCall>();
    const batched = this.mapping.maxSamples > 1;
    // The session's last sample has the stop's time and comes after it: it goes with the stop too.
    const withStop = new Set(
      batched
        ? events.filter(
            (event, index) =>
              event.stream === 'meter' &&
              events.some(
                (stop, at) => at < index && stop.stream === 'transaction' && stop.fields.event === 'stop' && stop.ts === event.ts && stop.fields.transactionId === event.fields.transactionId,
              ),
          )
        : [],
    );
    for (const event of events) {
      if (withStop.has(event)) continue;
      const transaction = event.fields.transactionId === undefined ? undefined : String(event.fields.transactionId);
      if (transaction !== undefined && !this.opened.has(transaction) && !(event.stream === 'transaction' && event.fields.event === 'start')) {
        calls.push(this.resentStart(transaction, event));
      }
      if (event.stream === 'status') {
        const { connectorId, status, errorCode } = event.fields;
        calls.push(this.call('StatusNotification', { connectorId, errorCode, status, timestamp: formatTs(event.ts) }, event.ts));
      } else if (event.stream === 'transaction' && event.fields.event === 'start') {
        const { connectorId, idTag, meterWh } = event.fields;
        this.opened.add(transaction!);
        calls.push(this.call('StartTransaction', { connectorId, idTag, meterStart: meterWh, timestamp: formatTs(event.ts) }, event.ts, transaction));
      } else if (event.stream === 'transaction') {
        const { meterWh, reason } = event.fields;
        const last = events.filter((other) => withStop.has(other) && other.ts === event.ts && other.fields.transactionId === event.fields.transactionId);
        const data = [...(this.held.get(transaction!)?.values ?? []), ...last.map(meterValue)];
        this.held.delete(transaction!);
        const stop = this.call('StopTransaction', { meterStop: meterWh, timestamp: formatTs(event.ts), reason, ...(data.length > 0 ? { transactionData: data } : {}) }, event.ts, transaction);
        calls.push({ ...stop, samples: 1 + data.length });
      } else if (transaction !== undefined && batched) {
        const held = this.held.get(transaction) ?? { connectorId: event.connectorId, at: event.ts, values: [] };
        this.held.set(transaction, held);
        held.values.push(meterValue(event));
        if (held.values.length === this.mapping.maxSamples) calls.push(this.heldMeterValues(transaction));
      } else {
        const current = open.get(event.connectorId);
        const values = current?.payload.meterValue as unknown[] | undefined;
        if (current && values && values.length < this.mapping.maxSamples) {
          values.push(meterValue(event));
          current.samples += 1;
          continue;
        }
        const call = this.call('MeterValues', { connectorId: event.connectorId, meterValue: [meterValue(event)] }, event.ts, transaction);
        open.set(event.connectorId, call);
        calls.push(call);
      }
    }
    return calls;
  }

  /** At the end of the run: the meter values of transactions still open, as MeterValues. */
  finish(): OcppCall[] {
    return [...this.held.keys()].map((transaction) => this.heldMeterValues(transaction));
  }

  private heldMeterValues(transaction: string): OcppCall {
    const { connectorId, at, values } = this.held.get(transaction)!;
    this.held.delete(transaction);
    return { ...this.call('MeterValues', { connectorId, meterValue: values }, at, transaction), samples: values.length };
  }

  private call(action: OcppAction, payload: Record<string, unknown>, at: number, transaction?: string): OcppCall {
    return { deviceId: this.deviceId, action, payload, ...(transaction === undefined ? {} : { transaction }), at, samples: 1 };
  }

  private resentStart(transaction: string, event: ChargePointEvent): OcppCall {
    const session = this.mapping.session(transaction);
    if (!session) throw new Error(`${this.deviceId}: transaction ${transaction} at ${formatTs(event.ts)} began before anything the simulator remembers`);
    this.opened.add(transaction);
    const payload = { connectorId: session.connectorId, idTag: session.idTag, meterStart: session.meterStartWh, timestamp: formatTs(session.start) };
    return { ...this.call('StartTransaction', payload, event.ts, transaction), samples: 0 };
  }
}

/**
 * The request as sent: MeterValues and StopTransaction of a transaction carry the id the central
 * system issued for it (`issued`: simulated transaction -> id).
 */
export function requestOf(call: OcppCall, issued: ReadonlyMap<string, number>): Record<string, unknown> {
  if (call.transaction === undefined || call.action === 'StartTransaction') return call.payload;
  const transactionId = issued.get(call.transaction);
  if (transactionId === undefined) throw new Error(`${call.deviceId}: ${call.action} of transaction ${call.transaction}, whose StartTransaction has no answer`);
  return { ...call.payload, transactionId };
}
