import { ProfileDeviceEntry } from '../../registry/devices/device-directory.service';
import { PublisherProfile } from '../../registry/devices/device-profiles';
import { Rejection } from '../contract/rejection';
import { NormaliseContext, normaliseMeterSample, normaliseStatusSample, normaliseVehicleSample } from '../contract/samples';
import { deadLetter } from '../ingest/decode-message';
import { Settled } from '../ingest/micro-batcher';
import { RawBatch, emptyBatch } from '../storage/raw-batch';
import { AssembledBodies, ValueKind } from './assembled-profile';
import { DecodedDelivery } from './decoded-delivery';
import { jsonDocumentRows } from './json-document';
import { Assembly, AssemblyWindow } from './assembly';
import { EvccFlags, evccBodies, evccStatus, evccValueKind } from './evcc/evcc';
import { ovmsBodies, ovmsValueKind } from './ovms-v3/ovms-v3';
import { decodeOwnTracks } from './owntracks/decode';
import { ProfileRoute, ProfileRoutes, deviceKey } from './profile-routes';
import { ChargeTotals } from './teslamate/charge-totals';
import { decodeTeltonika } from './teltonika-json/decode';
import { CHARGE_ENERGY_ADDED, teslamateBodies, teslamateValueKind } from './teslamate/teslamate';
import { numberText, textValue } from './values';

/** A JSON publisher's decoder (one document per delivery: owntracks, teltonika-json); `identity` is the routed device's. */
export type JsonDecoder = (topic: string, identity: string, payload: Buffer) => DecodedDelivery;

/** The decoders of the JSON publishers, each in its profile's folder. */
export const JSON_DECODERS: Partial<Record<PublisherProfile, JsonDecoder>> = {
  owntracks: (topic, _identity, payload) => decodeOwnTracks(topic, payload),
  'teltonika-json': (_topic, identity, payload) => decodeTeltonika(identity, payload),
};

/** A delivery as the MQTT connection handed it over. */
export interface Delivery {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  receivedAt: number;
  /** The ingest's receive count at this delivery (see UnregisteredDevices). */
  seq: number;
}

/** Rows for the batcher, with what a dead letter of them needs. */
export interface ProfileEntry {
  topic: string;
  payload: Buffer;
  receivedAt: number;
  rows: RawBatch;
}

export type ProfileOutcome = 'sample' | 'connection' | 'ignored' | 'snapshot' | 'unknown_device' | 'rejected';

export interface ProfileIngestOptions {
  windowMs: number;
  maxOpenWindows: number;
  maxHeldDeliveries: number;
  routes: () => ProfileRoutes;
  /** The registry in PostgreSQL, for an identity the in-memory routes do not know (amendment 1.1). */
  recheck: (profile: PublisherProfile, identity: string, seq: number) => Promise<ProfileDeviceEntry | undefined>;
  context: (now: number) => NormaliseContext;
  submit: (entry: ProfileEntry, settled: Settled) => void;
  chargeTotals: ChargeTotals;
  jsonDecoders: Partial<Record<PublisherProfile, JsonDecoder>>;
  count: (profile: string, outcome: ProfileOutcome) => void;
}

const ASSEMBLED_VALUE_KINDS: Record<'ovms-v3' | 'teslamate' | 'evcc', (key: string, text: string | undefined) => ValueKind> = {
  'ovms-v3': ovmsValueKind,
  teslamate: teslamateValueKind,
  evcc: (key) => evccValueKind(key),
};

/** A delivery refused only for its unregistered identity is kept whole, as in contract v1 (decode-message.ts). */
const REGISTRY_REJECTION_PAYLOAD_BYTES = Number.MAX_SAFE_INTEGER;

/**
 * The publisher profiles' way into the ingest (device-profiles.md): each delivery is routed to its
 * device by the publisher's identity, decoded by its profile (one folder per profile), assembled
 * where the publisher sends one value per topic, and handed to the same batcher as contract v1
 * as contract samples; everything after that (stores, dead letters, derivation) is the contract's.
 *
 * Acknowledgement: a QoS 1 delivery's `settled` is called when the entry that holds it has
 * committed, also when it waited in an assembly window; QoS 0 deliveries are settled at once,
 * there being nothing to acknowledge (the assembly's own caps bound what they hold).
 */
export class ProfileIngest {
  private readonly assembly: Assembly<ProfileDeviceEntry>;
  /** evcc's last `<root>/updated` (unix s) and when it arrived, per root. */
  private readonly evccUpdated = new Map<string, { ts: number; at: number }>();
  /** The last v.p.gpstime an OVMS device's sample was stamped with (ms), by device key. */
  private readonly ovmsGpstime = new Map<string, number>();
  /** evcc loadpoints' connected / charging flags, by device key. */
  private readonly evccFlags = new Map<string, EvccFlags>();

  constructor(private readonly options: ProfileIngestOptions) {
    this.assembly = new Assembly<ProfileDeviceEntry>({
      windowMs: options.windowMs,
      maxOpenWindows: options.maxOpenWindows,
      maxHeldDeliveries: options.maxHeldDeliveries,
      close: (window) => this.closeWindow(window),
    });
  }

  get openWindows(): number {
    return this.assembly.openWindows;
  }

  /** A delivery on a topic outside contract v1; `settled` is called once, when what it became is committed (or at once, if nothing). */
  receive(delivery: Delivery, settled: Settled): void {
    const route = this.options.routes().route(delivery.topic);
    if (!route) {
      this.options.count('none', 'ignored');
      return settled();
    }
    if ('site' in route) return this.evccSite(route.root, route.site, delivery, settled);
    const device = this.options.routes().find(route.profile, route.identity);
    if (device) return this.deliver(route, device, delivery, settled);
    this.options.recheck(route.profile, route.identity, delivery.seq).then(
      (found) => {
        if (found) return this.deliver(route, found, delivery, settled);
        if (delivery.retain) {
          this.options.count(route.profile, 'snapshot');
          return settled();
        }
        this.options.count(route.profile, 'unknown_device');
        const rejection = new Rejection('unknown_device', `no ${route.profile} device is registered with identity ${route.identity}`);
        this.reject(delivery.topic, route.identity, rejection, delivery.payload, delivery.receivedAt, settled, REGISTRY_REJECTION_PAYLOAD_BYTES);
      },
      (error) => settled(error),
    );
  }

  /** Closes every window (shutdown). */
  closeAll(): void {
    this.assembly.closeAll();
  }

  stop(): void {
    this.assembly.stop();
  }

  private deliver(route: Exclude<ProfileRoute, { site: string }>, device: ProfileDeviceEntry, delivery: Delivery, settled: Settled): void {
    if (!('key' in route)) return this.deliverJson(route.profile, device, delivery, settled);
    const text = textValue(delivery.payload);
    const kind = ASSEMBLED_VALUE_KINDS[route.profile](route.key, text);
    if (kind.kind === 'ignored') {
      this.options.count(route.profile, 'ignored');
      return settled();
    }
    if (delivery.retain) {
      // A snapshot of the past: it may seed what is known of the device, never a stored sample.
      if (route.profile === 'evcc' && kind.kind === 'value') this.seedEvccFlag(device, route.key, text);
      this.options.count(route.profile, 'snapshot');
      return settled();
    }
    if (kind.kind === 'connection') {
      this.options.count(route.profile, 'connection');
      return this.connection([device], kind.state, delivery, settled);
    }
    this.options.count(route.profile, 'sample');
    const key = deviceKey(device.profile, device.identity);
    this.assembly.add(key, device, delivery.topic, route.key, text, delivery.qos > 0 ? settled : undefined, delivery.receivedAt);
    if (delivery.qos === 0) settled();
  }

  private deliverJson(profile: PublisherProfile, device: ProfileDeviceEntry, delivery: Delivery, settled: Settled): void {
    const decode = this.options.jsonDecoders[profile];
    if (!decode || delivery.retain) {
      this.options.count(profile, decode ? 'snapshot' : 'ignored');
      return settled();
    }
    const outcome = jsonDocumentRows(decode(delivery.topic, device.identity, delivery.payload), device, delivery.receivedAt, this.options.context(Date.now()));
    this.options.count(profile, outcome.kind);
    if (outcome.kind === 'ignored') return settled();
    if (outcome.kind === 'rejected') return this.reject(delivery.topic, device.identity, outcome.rejection, delivery.payload, delivery.receivedAt, settled);
    this.options.submit({ topic: delivery.topic, payload: delivery.payload, receivedAt: delivery.receivedAt, rows: outcome.rows }, settled);
  }

  private evccSite(root: string, site: 'status' | 'updated', delivery: Delivery, settled: Settled): void {
    const text = textValue(delivery.payload);
    if (site === 'updated') {
      const ts = Number(text);
      if (!delivery.retain && text !== undefined && Number.isFinite(ts)) this.evccUpdated.set(root, { ts: Math.round(ts * 1000), at: delivery.receivedAt });
      this.options.count('evcc', 'ignored');
      return settled();
    }
    const state = evccStatus(text);
    const devices = this.options.routes().evccDevices(root);
    if (delivery.retain || !state || devices.length === 0) {
      this.options.count('evcc', delivery.retain ? 'snapshot' : 'ignored');
      return settled();
    }
    this.options.count('evcc', 'connection');
    this.connection(devices, state, delivery, settled);
  }

  private seedEvccFlag(device: ProfileDeviceEntry, key: string, text: string | undefined): void {
    if (key !== 'connected' && key !== 'charging') return;
    const flags = this.flagsOf(device);
    if (flags[key] === undefined && (text === 'true' || text === 'false')) flags[key] = text === 'true';
  }

  private flagsOf(device: ProfileDeviceEntry): EvccFlags {
    const key = deviceKey(device.profile, device.identity);
    let flags = this.evccFlags.get(key);
    if (!flags) this.evccFlags.set(key, (flags = {}));
    return flags;
  }

  private connection(devices: ProfileDeviceEntry[], state: 'online' | 'offline', delivery: Delivery, settled: Settled, statedTs?: number): void {
    const rows = emptyBatch();
    for (const device of devices) {
      rows.connectionEvents.push({ deviceKind: device.kind, deviceRef: device.id, ts: statedTs ?? delivery.receivedAt, receivedAt: delivery.receivedAt, state });
    }
    this.options.submit({ topic: delivery.topic, payload: delivery.payload, receivedAt: delivery.receivedAt, rows }, settled);
  }

  private closeWindow(window: AssemblyWindow<ProfileDeviceEntry>): void {
    const { device, values, firstAt } = window;
    const payload = Buffer.from(JSON.stringify(Object.fromEntries(values)));
    const settled: Settled = (error) => {
      for (const held of window.held) held(error);
    };
    let bodies: AssembledBodies;
    let chargeTotal: ReturnType<ChargeTotals['add']> | undefined;
    switch (device.profile) {
      case 'ovms-v3': {
        const key = deviceKey(device.profile, device.identity);
        const stamped = ovmsBodies(values, firstAt, this.ovmsGpstime.get(key));
        if (stamped.gpstimeMs !== undefined) this.ovmsGpstime.set(key, stamped.gpstimeMs);
        bodies = stamped;
        break;
      }
      case 'teslamate': {
        const session = numberText(values.get(CHARGE_ENERGY_ADDED));
        // Only a usable session value counts into the total; anything else goes on as it came, for the contract's check to name.
        chargeTotal = typeof session === 'number' && session >= 0 ? this.options.chargeTotals.add(device.id, session) : undefined;
        bodies = teslamateBodies(values, firstAt, chargeTotal?.totalKwh ?? session);
        break;
      }
      case 'evcc': {
        const root = device.identity.slice(0, device.identity.lastIndexOf('/'));
        const updated = this.evccUpdated.get(root);
        const stamped = updated && updated.at >= firstAt - this.options.windowMs ? updated.ts : firstAt;
        bodies = evccBodies(values, stamped, this.flagsOf(device));
        break;
      }
      default:
        throw new Error(`${device.profile} is not assembled`);
    }
    this.samples(device, bodies, window.firstTopic, payload, firstAt, settled, chargeTotal?.row);
  }

  /** Contract bodies through the contract's own checks into rows; a refused body is a dead letter naming the profile. */
  private samples(device: ProfileDeviceEntry, bodies: AssembledBodies, topic: string, payload: Buffer, receivedAt: number, settled: Settled, chargeTotal?: RawBatch['chargeTotals'][number]): void {
    const rows = emptyBatch();
    const context = this.options.context(Date.now());
    // A window that held only half a position (or only the publisher's time) knows nothing: no sample, and no fault of the device's.
    if (bodies.vehicle && Object.keys(bodies.vehicle).every((field) => field === 'ts')) delete bodies.vehicle;
    try {
      if (bodies.vehicle) rows.vehicleSamples.push(Object.assign(normaliseVehicleSample(bodies.vehicle, context), { vehicleId: device.id }));
      if (bodies.status) rows.statusSamples.push(Object.assign(normaliseStatusSample(bodies.status, context), { chargePointId: device.id }));
      if (bodies.meter) rows.meterSamples.push(Object.assign(normaliseMeterSample(bodies.meter, context), { chargePointId: device.id }));
      if (chargeTotal) rows.chargeTotals.push(chargeTotal);
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      this.options.count(device.profile, 'rejected');
      // Units and ranges are the contract's; the detail says which publisher sent the value.
      return this.reject(topic, device.identity, new Rejection(error.reason, `${device.profile}: ${error.detail}`), payload, receivedAt, settled);
    }
    if (rows.vehicleSamples.length + rows.statusSamples.length + rows.meterSamples.length === 0) return settled();
    this.options.submit({ topic, payload, receivedAt, rows }, settled);
  }

  private reject(topic: string, identity: string, rejection: Rejection, payload: Buffer, receivedAt: number, settled: Settled, keepBytes?: number): void {
    const rows = emptyBatch();
    rows.deadLetters.push(deadLetter(topic, identity, rejection.reason, rejection.detail, null, payload, receivedAt, keepBytes));
    this.options.submit({ topic, payload, receivedAt, rows }, settled);
  }
}
