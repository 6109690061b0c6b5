/**
 * The pure part of the simulator: messages of the telemetry contract for a fleet and a time
 * range, from nothing but the fleet, the range and the seed (no clock, no I/O); for the charge
 * points that speak OCPP, the same events as OCPP calls instead (ocpp-calls.ts).
 *
 * The run goes day by day (Oslo days). With `maxSamples` > 1 (backfill) every device sends each
 * stream's samples of the day as JSON arrays of up to `maxSamples`, like a store-and-forward
 * gateway, device after device; with 1 (live, paced) every sample is its own message and the
 * day's messages of all devices are put in time order, to be published when their time comes.
 * Producing one device-day at a time keeps memory flat however long the range.
 */
import type { SimChargePoint, SimFleet, SimVehicle } from './fleet';
import { CLOCK_ALIGNED_MS, COARSE_CLOCK_ALIGNED_MS, ChargePointEvent, ChargePointStream, ChargePointTimeline } from './charge-point-day';
import { IsoDate, addDays, formatTs, osloDateOf, osloMidnight } from './oslo-time';
import { Tank, VehicleLedger, inService, tankOf, vehicleDayTotals } from './vehicle-model';
import { thinSamples, vehicleDay, vehiclePayload } from './vehicle-day';
import { OcppCall, OcppCallMapper } from './ocpp-calls';

export type Sample = Record<string, unknown>;

export interface SimMessage {
  topic: string;
  /** Samples of the message; a `connection` message has the plain-text state instead. */
  samples: Sample[] | 'online' | 'offline';
  /** One sample sent bare rather than as an array. */
  single: boolean;
  retain: boolean;
  /** Simulated time the message belongs to: its first sample's, or when the device came or went. */
  at: number;
  deviceId: string;
}

export interface GenerateOptions {
  fleet: SimFleet;
  seed: number;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive; Infinity for an open-ended live run. */
  to: number;
  topicRoot: string;
  /** Samples per message: 1 sends each sample alone; the contract allows up to 500. */
  maxSamples: number;
  /** Vehicle samples thinned to COARSE_SAMPLING and charge points' clock-aligned meter hourly (long backfills); every sample otherwise. */
  coarse?: boolean;
  /** Charge points (device ids) that report over OCPP instead of MQTT. */
  ocpp?: ReadonlySet<string>;
}

/** What a run sends: MQTT messages of the telemetry contract and the OCPP points' calls. */
export type Traffic = SimMessage | OcppCall;

export const isOcppCall = (item: Traffic): item is OcppCall => 'action' in item;

export const MAX_SAMPLES_PER_MESSAGE = 500;
const COUNTERS = ['odometerKm', 'fuelUsedL', 'gasUsedKg', 'energyConsumedKwh', 'energyChargedKwh'] as const;

/** The contract's payload: a bare sample, an array of samples, or the connection state. */
export function encodePayload(message: SimMessage): string {
  if (typeof message.samples === 'string') return message.samples;
  return JSON.stringify(message.single ? message.samples[0] : message.samples);
}

export const vehicleTopic = (root: string, deviceId: string, stream: 'telemetry' | 'connection') => `${root}/v1/vehicles/${deviceId}/${stream}`;
export const chargePointTopic = (root: string, deviceId: string, stream: ChargePointStream | 'connection') => `${root}/v1/chargepoints/${deviceId}/${stream}`;

/** One device's messages, a day at a time; days must be asked for in order. */
interface DeviceDays {
  /** Messages (or calls) of the device with `at` in the day and in [from, to), in time order. */
  day(date: IsoDate): Traffic[];
  /** What the device still holds when the run ends (an OCPP point's meter values of open transactions). */
  finish?(): Traffic[];
}

/** Splits a day's samples of one stream into messages; `times` are the samples' instants. */
function chunk(topic: string, deviceId: string, samples: Sample[], times: number[], maxSamples: number, out: SimMessage[]): void {
  const size = Math.max(1, Math.min(MAX_SAMPLES_PER_MESSAGE, maxSamples));
  for (let index = 0; index < samples.length; index += size) {
    out.push({ topic, samples: samples.slice(index, index + size), single: size === 1, retain: false, at: times[index], deviceId });
  }
}

const connection = (topic: string, deviceId: string, state: 'online' | 'offline', at: number): SimMessage => ({ topic, samples: state, single: true, retain: true, at, deviceId });

class VehicleDays implements DeviceDays {
  private readonly ledger: VehicleLedger;
  private readonly tank: Tank | null;
  private readonly telemetry: string;
  private readonly connectionTopic: string;
  private online = false;
  private first = true;
  /** Rounding must not let a counter step back where the unrounded one only stood still. */
  private readonly last: Record<string, number> = {};

  constructor(
    private readonly vehicle: SimVehicle,
    private readonly options: GenerateOptions,
  ) {
    this.ledger = new VehicleLedger(vehicle, options.seed);
    this.tank = tankOf(vehicle, options.seed);
    this.telemetry = vehicleTopic(options.topicRoot, vehicle.deviceId, 'telemetry');
    this.connectionTopic = vehicleTopic(options.topicRoot, vehicle.deviceId, 'connection');
  }

  day(date: IsoDate): SimMessage[] {
    const { vehicle, options } = this;
    const { from, to, seed } = options;
    const out: SimMessage[] = [];
    if (!inService(vehicle, date)) {
      // The gateway goes quiet for good once the vehicle leaves service: it says so, retained.
      const gone = osloMidnight(date);
      if (this.online && vehicle.inServiceTo !== null && date === addDays(vehicle.inServiceTo, 1) && gone >= from && gone < to) {
        out.push(connection(this.connectionTopic, vehicle.deviceId, 'offline', gone));
      }
      return out;
    }
    const day = vehicleDay(vehicle, date, this.ledger.at(date), vehicleDayTotals(vehicle, date, seed), seed);
    // Thinned over the whole day before the range cut, so a sample is kept whatever range asked for it.
    let states = options.coarse ? thinSamples(day) : day;
    if (this.first) {
      // Already running when a run starts mid-day (live): the gateway reports where the vehicle stands now, as a
      // real one does on connecting, rather than only at its next (up to half-hourly) sample.
      const current = states.filter((state) => state.ts <= from).pop();
      if (current && current.ts < from && from < to) states = [{ ...current, ts: from }, ...states.filter((state) => state.ts > from)];
      this.first = false;
    }
    const samples: Sample[] = [];
    const times: number[] = [];
    for (const state of states) {
      if (state.ts < from || state.ts >= to) continue;
      const sample = vehiclePayload(vehicle, state, this.tank, formatTs(state.ts));
      for (const field of COUNTERS) {
        const value = sample[field];
        if (typeof value !== 'number') continue;
        if (value < (this.last[field] ?? 0)) sample[field] = this.last[field];
        this.last[field] = sample[field] as number;
      }
      samples.push(sample);
      times.push(state.ts);
    }
    if (samples.length === 0) return out;
    if (!this.online) {
      // Online from the start of the run or of its first day in service, not from its first (possibly half-hourly) sample.
      out.push(connection(this.connectionTopic, vehicle.deviceId, 'online', Math.max(from, osloMidnight(date))));
      this.online = true;
    }
    chunk(this.telemetry, vehicle.deviceId, samples, times, options.maxSamples, out);
    return out;
  }
}

const STREAMS: readonly ChargePointStream[] = ['transaction', 'status', 'meter'];

/**
 * A charge point's events of each day in [from, to), over whichever protocol they go: a run opens
 * with where its connectors stand (what a charge point reports in StatusNotification after boot).
 */
export class ChargePointEvents {
  readonly timeline: ChargePointTimeline;
  private first = true;

  constructor(
    readonly point: SimChargePoint,
    private readonly options: Pick<GenerateOptions, 'seed' | 'from' | 'to' | 'coarse'>,
  ) {
    this.timeline = new ChargePointTimeline(point, options.seed, options.coarse ? COARSE_CLOCK_ALIGNED_MS : CLOCK_ALIGNED_MS);
  }

  day(date: IsoDate): ChargePointEvent[] {
    const { from, to } = this.options;
    if (date < this.point.commissionedOn) return [];
    const events = this.timeline.day(date).filter((event) => event.ts >= from && event.ts < to);
    if (!this.first) return events;
    this.first = false;
    const snapshot: ChargePointEvent[] = this.timeline
      .statusAt(from)
      .filter(({ connectorId }) => !events.some((event) => event.stream === 'status' && event.connectorId === connectorId && event.ts === from))
      .map((status) => ({ stream: 'status', ts: from, connectorId: status.connectorId, fields: status }));
    return [...snapshot, ...events];
  }
}

class ChargePointDays implements DeviceDays {
  private readonly events: ChargePointEvents;
  private online = false;

  constructor(
    private readonly point: SimChargePoint,
    private readonly options: GenerateOptions,
  ) {
    this.events = new ChargePointEvents(point, options);
  }

  day(date: IsoDate): SimMessage[] {
    const { point, options } = this;
    const { topicRoot } = options;
    const out: SimMessage[] = [];
    const events = this.events.day(date);
    if (events.length === 0) return out;
    if (!this.online) {
      out.push(connection(chargePointTopic(topicRoot, point.deviceId, 'connection'), point.deviceId, 'online', events[0].ts));
      this.online = true;
    }
    if (options.maxSamples === 1) {
      for (const event of events) chunk(chargePointTopic(topicRoot, point.deviceId, event.stream), point.deviceId, [sampleOf(event)], [event.ts], 1, out);
      return out;
    }
    const messages: SimMessage[] = [];
    for (const stream of STREAMS) {
      const streamEvents = events.filter((event) => event.stream === stream);
      chunk(
        chargePointTopic(topicRoot, point.deviceId, stream),
        point.deviceId,
        streamEvents.map(sampleOf),
        streamEvents.map((event) => event.ts),
        options.maxSamples,
        messages,
      );
    }
    return [...out, ...messages.sort((a, b) => a.at - b.at)];
  }
}

/** The same events as OCPP calls (ocpp-calls.ts); the WebSocket connection is the point's online event. */
class OcppChargePointDays implements DeviceDays {
  private readonly events: ChargePointEvents;
  private readonly mapper: OcppCallMapper;

  constructor(point: SimChargePoint, options: GenerateOptions) {
    const events = new ChargePointEvents(point, options);
    this.events = events;
    this.mapper = new OcppCallMapper(point.deviceId, { maxSamples: Math.min(options.maxSamples, MAX_SAMPLES_PER_MESSAGE), session: (id) => events.timeline.session(id) });
  }

  day(date: IsoDate): OcppCall[] {
    return this.mapper.day(this.events.day(date));
  }

  finish(): OcppCall[] {
    return this.mapper.finish();
  }
}

const sampleOf = (event: ChargePointEvent): Sample => ({ ts: formatTs(event.ts), ...event.fields });

/** All devices' MQTT messages over the range (see the header for the order); OCPP points' calls are left out. */
export function* generateMessages(options: GenerateOptions): Generator<SimMessage> {
  for (const item of generateTraffic(options)) if (!isOcppCall(item)) yield item;
}

/** All devices' messages and calls over the range, in the order of `generateMessages`. */
export function* generateTraffic(options: GenerateOptions): Generator<Traffic> {
  const devices: DeviceDays[] = [
    ...options.fleet.vehicles.map((vehicle) => new VehicleDays(vehicle, options)),
    ...options.fleet.chargePoints.map((point) => (options.ocpp?.has(point.deviceId) ? new OcppChargePointDays(point, options) : new ChargePointDays(point, options))),
  ];
  const last = Number.isFinite(options.to) ? osloDateOf(options.to - 1) : null;
  for (let date = osloDateOf(options.from); last === null || date <= last; date = addDays(date, 1)) {
    if (options.maxSamples > 1) {
      for (const device of devices) yield* device.day(date);
      continue;
    }
    const day = devices.flatMap((device, order) => device.day(date).map((message) => ({ message, order })));
    day.sort((a, b) => a.message.at - b.message.at || a.order - b.order);
    for (const { message } of day) yield message;
  }
  for (const device of devices) yield* device.finish?.() ?? [];
}
