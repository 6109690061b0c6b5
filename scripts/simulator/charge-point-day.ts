/**
 * A housing cooperative's charge point, day by day: residents plug in after work or late in the
 * evening and leave next morning (Available -> Preparing -> Charging -> SuspendedEV when the car is
 * full -> Finishing -> Available), some weekend daytime top-ups, some points hardly used, and now
 * and then a fault that clears itself. Transactions carry ids counted per charge point and the
 * residents' RFID tokens; meter registers count Wh per connector from commissioning.
 *
 * Sessions are planned per (seed, charge point, day) like vehicle days, so everything is a
 * function of the seed and the date; the timeline below only walks days in order to number the
 * transactions and keep the registers.
 */
import type { SimChargePoint } from './fleet';
import { IsoDate, MINUTE, addDays, dayOfWeek, isWorkingDay, osloMidnight, osloTime } from './oslo-time';
import { Random } from './prng';

export interface PlannedSession {
  connectorId: number;
  idTag: string;
  /** Plugged in: Preparing. */
  arrive: number;
  /** Authorised: transaction start, Charging. */
  start: number;
  /** Car full or unplugged: end of Charging (SuspendedEV follows when before `depart`). */
  chargeEnd: number;
  /** Transaction stop, Finishing. */
  depart: number;
  /** Connector free again. */
  available: number;
  powerW: number;
  energyWh: number;
  reason: 'EVDisconnected' | 'Local';
}

export interface Session extends PlannedSession {
  transactionId: string;
  meterStartWh: number;
}

export interface Fault {
  connectorId: number;
  start: number;
  end: number;
  errorCode: string;
}

export interface ChargePointDayPlan {
  /** Commissioning instant when it falls on this day: the connectors announce themselves Available. */
  commissioned: number | null;
  sessions: PlannedSession[];
  faults: Fault[];
}

export type ChargePointStream = 'status' | 'meter' | 'transaction';

export interface ChargePointEvent {
  stream: ChargePointStream;
  ts: number;
  connectorId: number;
  /** Contract fields besides ts. */
  fields: Record<string, unknown>;
}

type Usage = 'idle' | 'low' | 'medium' | 'high';
/** Per connector and day: chance of an evening session, of a weekend daytime one. */
const USAGE: Record<Usage, { evening: number; daytime: number }> = {
  idle: { evening: 0.01, daytime: 0 },
  low: { evening: 0.25, daytime: 0.05 },
  medium: { evening: 0.5, daytime: 0.1 },
  high: { evening: 0.8, daytime: 0.2 },
};
const FAULT_CHANCE = 0.004;
const FAULT_CODES = ['GroundFailure', 'OverCurrentFailure', 'EVCommunicationError', 'InternalError', 'PowerMeterFailure'] as const;
/** Cars' on-board chargers, kW: a charge point rated higher still delivers only this. */
const ONBOARD_KW: readonly (readonly [number, number])[] = [
  [3.7, 0.25],
  [7.4, 0.5],
  [11, 0.25],
];
/** OCPP ClockAlignedDataInterval: the whole point's register every 15 minutes, so that history shows it online. */
export const CLOCK_ALIGNED_MS = 15 * MINUTE;
/**
 * The same for coarse backfills: every 30 minutes, the longest interval at which the service's
 * heartbeat (15 min either side of a message) still shows the point online throughout. Sessions
 * keep their 15-minute meter samples.
 */
export const COARSE_CLOCK_ALIGNED_MS = 30 * MINUTE;
const METER_SAMPLE_MS = 15 * MINUTE;

export function usageOf(point: SimChargePoint, seed: number): Usage {
  return Random.for(seed, point.deviceId, 'usage').weighted<Usage>([
    ['idle', 0.15],
    ['low', 0.3],
    ['medium', 0.35],
    ['high', 0.2],
  ]);
}

/** RFID tokens of a cooperative's residents (7-byte MIFARE-style UIDs). */
export function residentTokens(cooperative: string, seed: number): string[] {
  const random = Random.for(seed, cooperative, 'tokens');
  const count = random.int(6, 14);
  return Array.from({ length: count }, () => `04${Array.from({ length: 6 }, () => random.int(0, 255).toString(16).padStart(2, '0')).join('')}`.toUpperCase());
}

const seconds = (ms: number): number => Math.round(ms / 1000) * 1000;

export function planChargePointDay(point: SimChargePoint, date: IsoDate, seed: number): ChargePointDayPlan {
  const plan: ChargePointDayPlan = { commissioned: null, sessions: [], faults: [] };
  if (date < point.commissionedOn) return plan;
  const random = Random.for(seed, point.deviceId, date, 'sessions');
  const usage = USAGE[usageOf(point, seed)];
  const tokens = residentTokens(point.cooperative, seed);
  const weekend = [0, 6].includes(dayOfWeek(date));
  const nextDayOff = !isWorkingDay(addDays(date, 1));
  if (date === point.commissionedOn) plan.commissioned = seconds(osloTime(date, random.between(10 * 60, 14 * 60)));

  for (let connectorId = 1; connectorId <= point.connectors; connectorId += 1) {
    const regular = Random.for(seed, point.deviceId, connectorId, 'regular').pick(tokens);
    const token = () => (random.chance(0.7) ? regular : random.pick(tokens));
    const session = (arrive: number, depart: number, wantedKwh: number): PlannedSession => {
      const kw = Math.min(point.maxKw, random.weighted(ONBOARD_KW)) * random.between(0.93, 0.99);
      const start = seconds(arrive + random.between(30_000, 180_000));
      const full = start + (wantedKwh / kw) * 3_600_000;
      // A car that is not full when its owner leaves goes straight from Charging to Finishing.
      const chargeEnd = seconds(full < depart - MINUTE ? full : depart);
      return {
        connectorId,
        idTag: token(),
        arrive: seconds(arrive),
        start,
        chargeEnd,
        depart: seconds(depart),
        available: seconds(depart + random.between(10_000, 60_000)),
        powerW: Math.round(kw * 1000),
        energyWh: Math.round((kw * 1000 * (chargeEnd - start)) / 3_600_000),
        reason: random.chance(0.6) ? 'EVDisconnected' : 'Local',
      };
    };

    // Weekend daytime top-up, over by 15:00 so it never meets last night's car (gone by 11:30) or tonight's.
    const daytime = plan.commissioned === null && weekend && random.chance(usage.daytime);
    if (daytime) {
      const arrive = osloTime(date, random.between(12 * 60, 13 * 60));
      plan.sessions.push(session(arrive, arrive + random.between(60, 120) * MINUTE, random.triangular(3, 15)));
    }
    if (!daytime && plan.commissioned === null && random.chance(FAULT_CHANCE)) {
      const start = osloTime(date, random.between(12 * 60, 14 * 60));
      plan.faults.push({ connectorId, start: seconds(start), end: seconds(Math.min(start + random.between(10, 180) * MINUTE, osloTime(date, 15 * 60 + 20))), errorCode: random.pick(FAULT_CODES) });
    }
    if (random.chance(usage.evening)) {
      const late = random.chance(0.25);
      const arrive = osloTime(date, late ? random.between(20 * 60, 23 * 60 + 50) : random.triangular(15 * 60 + 30, 20 * 60));
      // Most stay the night; some only top up for a few hours.
      const depart =
        random.chance(0.1) && !late
          ? arrive + random.between(120, 240) * MINUTE
          : osloTime(addDays(date, 1), nextDayOff ? random.between(8 * 60, 11 * 60 + 30) : random.between(6 * 60 + 15, 8 * 60 + 45));
      plan.sessions.push(session(arrive, depart, random.triangular(4, 35)));
    }
  }
  plan.sessions.sort((a, b) => a.start - b.start || a.connectorId - b.connectorId);
  return plan;
}

function delivered(session: Session, ts: number): number {
  if (ts <= session.start) return 0;
  if (ts >= session.chargeEnd) return session.energyWh;
  return Math.floor((session.energyWh * (ts - session.start)) / (session.chargeEnd - session.start));
}

/**
 * Walks a charge point's days from commissioning and hands out each day's events (those with ts in
 * that local day, including the night sessions of the day before).
 */
export class ChargePointTimeline {
  private date: IsoDate;
  private transactions = 0;
  private readonly registers: number[];
  /** Sessions and faults that may still reach into the days to come. */
  private recent: Session[] = [];
  private faults: Fault[] = [];
  private commissioned: number | null = null;
  private pending: ChargePointEvent[] = [];

  constructor(
    private readonly point: SimChargePoint,
    private readonly seed: number,
    private readonly clockAlignedMs = CLOCK_ALIGNED_MS,
  ) {
    this.date = point.commissionedOn;
    this.registers = Array.from({ length: point.connectors + 1 }, () => 0);
  }

  /** Events of `date` in time order; dates must be asked for in increasing order. */
  day(date: IsoDate): ChargePointEvent[] {
    if (date < this.point.commissionedOn) return [];
    if (date < this.date) throw new Error(`timeline of ${this.point.deviceId} is past ${date}`);
    let events: ChargePointEvent[] = [];
    // The day before is rendered too: its night sessions spill into `date`.
    const previous = addDays(date, -1);
    while (this.date <= date) {
      events = this.advance(this.date >= previous);
      this.date = addDays(this.date, 1);
    }
    return events;
  }

  /** The connectors' status at an instant (for the snapshot a run starts with), after `day(date of ts)`. */
  statusAt(ts: number): { connectorId: number; status: string; errorCode: string }[] {
    if (this.commissioned === null || ts < this.commissioned) return [];
    return Array.from({ length: this.point.connectors }, (_, index) => {
      const connectorId = index + 1;
      const fault = this.faults.find((f) => f.connectorId === connectorId && f.start <= ts && ts < f.end);
      if (fault) return { connectorId, status: 'Faulted', errorCode: fault.errorCode };
      const session = this.recent.find((s) => s.connectorId === connectorId && s.arrive <= ts && ts < s.available);
      let status = 'Available';
      if (session) status = ts < session.start ? 'Preparing' : ts < session.chargeEnd ? 'Charging' : ts < session.depart ? 'SuspendedEV' : 'Finishing';
      return { connectorId, status, errorCode: 'NoError' };
    });
  }

  /** A session still remembered (it ended at most a day before the last day asked for), by its transaction id. */
  session(transactionId: string): Session | undefined {
    return this.recent.find((session) => session.transactionId === transactionId);
  }

  private advance(render: boolean): ChargePointEvent[] {
    const date = this.date;
    const dayStart = osloMidnight(date);
    const dayEnd = osloMidnight(addDays(date, 1));
    const plan = planChargePointDay(this.point, date, this.seed);
    this.recent = this.recent.filter((session) => session.available >= dayStart - 86_400_000);
    this.faults = this.faults.filter((fault) => fault.end >= dayStart - 86_400_000);
    if (plan.commissioned !== null) this.commissioned = plan.commissioned;
    const sessions = plan.sessions.map((planned) => {
      this.transactions += 1;
      const session: Session = { ...planned, transactionId: String(this.transactions), meterStartWh: this.registers[planned.connectorId] };
      this.registers[planned.connectorId] += session.energyWh;
      return session;
    });
    this.recent.push(...sessions);
    this.faults.push(...plan.faults);
    if (!render) {
      this.pending = [];
      return [];
    }
    const fresh: ChargePointEvent[] = [];
    if (plan.commissioned !== null) {
      for (let connectorId = 1; connectorId <= this.point.connectors; connectorId += 1) {
        fresh.push({ stream: 'status', ts: plan.commissioned, connectorId, fields: { connectorId, status: 'Available', errorCode: 'NoError' } });
      }
    }
    for (const session of sessions) fresh.push(...sessionEvents(session));
    for (const fault of plan.faults) {
      fresh.push({ stream: 'status', ts: fault.start, connectorId: fault.connectorId, fields: { connectorId: fault.connectorId, status: 'Faulted', errorCode: fault.errorCode } });
      fresh.push({ stream: 'status', ts: fault.end, connectorId: fault.connectorId, fields: { connectorId: fault.connectorId, status: 'Available', errorCode: 'NoError' } });
    }
    const all = [...this.pending, ...fresh, ...this.clockAligned(dayStart, dayEnd)];
    this.pending = all.filter((event) => event.ts >= dayEnd);
    return all.filter((event) => event.ts < dayEnd).sort(byTime);
  }

  /** Connector 0 (the whole point): sum of the connector registers and power, on the quarter hour. */
  private clockAligned(dayStart: number, dayEnd: number): ChargePointEvent[] {
    const events: ChargePointEvent[] = [];
    const from = this.commissioned === null ? dayStart : Math.max(dayStart, this.commissioned + 1);
    for (let ts = Math.ceil(from / this.clockAlignedMs) * this.clockAlignedMs; ts < dayEnd; ts += this.clockAlignedMs) {
      let energyWh = 0;
      let powerW = 0;
      for (let connectorId = 1; connectorId <= this.point.connectors; connectorId += 1) {
        const sessions = this.recent.filter((s) => s.connectorId === connectorId);
        const current = [...sessions].reverse().find((s) => s.start <= ts);
        if (current) {
          energyWh += current.meterStartWh + delivered(current, ts);
          if (ts < current.chargeEnd) powerW += current.powerW;
        } else {
          // Before any session still remembered: the register they started from, or the current one.
          energyWh += sessions.length > 0 ? sessions[0].meterStartWh : this.registers[connectorId];
        }
      }
      events.push({ stream: 'meter', ts, connectorId: 0, fields: { connectorId: 0, energyWh, powerW } });
    }
    return events;
  }
}

const STREAM_ORDER: Record<ChargePointStream, number> = { transaction: 0, status: 1, meter: 2 };
const byTime = (a: ChargePointEvent, b: ChargePointEvent) => a.ts - b.ts || STREAM_ORDER[a.stream] - STREAM_ORDER[b.stream] || a.connectorId - b.connectorId;

function sessionEvents(session: Session): ChargePointEvent[] {
  const { connectorId, transactionId } = session;
  const status = (ts: number, value: string): ChargePointEvent => ({ stream: 'status', ts, connectorId, fields: { connectorId, status: value, errorCode: 'NoError' } });
  const meter = (ts: number, powerW: number): ChargePointEvent => ({
    stream: 'meter',
    ts,
    connectorId,
    fields: { connectorId, energyWh: session.meterStartWh + delivered(session, ts), powerW, transactionId },
  });
  const stopWh = session.meterStartWh + session.energyWh;
  const events: ChargePointEvent[] = [
    status(session.arrive, 'Preparing'),
    { stream: 'transaction', ts: session.start, connectorId, fields: { event: 'start', connectorId, transactionId, meterWh: session.meterStartWh, idTag: session.idTag } },
    status(session.start, 'Charging'),
  ];
  // OCPP MeterValueSampleInterval: every 15 minutes from the start while energy flows.
  for (let ts = session.start; ts < session.chargeEnd; ts += METER_SAMPLE_MS) events.push(meter(ts, session.powerW));
  if (session.chargeEnd < session.depart) {
    events.push(status(session.chargeEnd, 'SuspendedEV'), meter(session.chargeEnd, 0));
  }
  events.push(
    { stream: 'transaction', ts: session.depart, connectorId, fields: { event: 'stop', connectorId, transactionId, meterWh: stopWh, reason: session.reason } },
    status(session.depart, 'Finishing'),
    meter(session.depart, 0),
    status(session.available, 'Available'),
  );
  return events;
}
