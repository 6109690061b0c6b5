import { AssembledBodies, ValueKind, definedOnly, keepWholePosition } from '../assembled-profile';
import { booleanText, numberText } from '../values';

/**
 * OVMS v3 ("server v3" = MQTT) to telemetry contract v1.
 *
 * Topics `<prefix>metric/<metric with . as />`, prefix default `ovms/<user>/<vehicleId>/`
 * (the module's "server v3" topic prefix setting); identity `<user>/<vehicleId>`. One metric per
 * topic, as text without unit, QoS 0, retained. Metrics are in the module's metric units (km,
 * km/h, kWh) unless its user changed them: `vehicle units` must stay metric.
 *
 * | metric                          | contract field                     |
 * |---------------------------------|------------------------------------|
 * | v.p.odometer (km)               | odometerKm                         |
 * | v.p.speed (km/h)                | speedKmh                           |
 * | v.p.latitude, v.p.longitude     | lat, lon (one without the other: no position) |
 * | v.b.soc (%)                     | socPct                             |
 * | v.e.on (yes/no)                 | ignition                           |
 * | v.c.kwh.grid.total (kWh)        | energyChargedKwh (cumulative from the grid) |
 * | v.b.energy.used.total (kWh)     | energyConsumedKwh                  |
 * | v.c.charging (yes/no)           | charging                           |
 * | v.p.gpstime (UTC s)             | the sample's ts when present and later than the last (see ovmsBodies) |
 * | s.v3.connected (yes/no)         | connection event online / offline  |
 *
 * Every other metric is ignored (counted). QoS 0 deliveries carry no acknowledgement, so a
 * sample of OVMS metrics cannot be acknowledged after commit: what the ingest has in an open
 * window when it dies is lost, as any QoS 0 message is.
 */
export const OVMS_METRICS: Record<string, string> = {
  'v.p.odometer': 'odometerKm',
  'v.p.speed': 'speedKmh',
  'v.p.latitude': 'lat',
  'v.p.longitude': 'lon',
  'v.b.soc': 'socPct',
  'v.e.on': 'ignition',
  'v.c.kwh.grid.total': 'energyChargedKwh',
  'v.b.energy.used.total': 'energyConsumedKwh',
  'v.c.charging': 'charging',
  'v.p.gpstime': 'ts',
};
const BOOLEAN_METRICS = new Set(['v.e.on', 'v.c.charging']);
const CONNECTED = 's.v3.connected';
const DEFAULT_TOPIC = /^ovms\/([^/]+)\/([^/]+)\/metric\/(.+)$/;

/** The default prefix's identity and the metric of a topic, e.g. `ovms/fleet/EV01/metric/v/p/speed`. */
export function ovmsDefaultTopic(topic: string): { identity: string; metric: string } | undefined {
  const match = DEFAULT_TOPIC.exec(topic);
  return match ? { identity: `${match[1]}/${match[2]}`, metric: match[3].replace(/\//g, '.') } : undefined;
}

/** The prefix and metric of a topic with a configured prefix: everything up to `metric/` is the prefix. */
export function ovmsPrefixedTopic(topic: string): { prefix: string; metric: string } | undefined {
  const at = topic.indexOf('/metric/');
  return at < 0 ? undefined : { prefix: topic.slice(0, at + 1), metric: topic.slice(at + '/metric/'.length).replace(/\//g, '.') };
}

export function ovmsValueKind(metric: string, text: string | undefined): ValueKind {
  if (metric === CONNECTED) {
    const state = booleanText(text);
    return typeof state === 'boolean' ? { kind: 'connection', state: state ? 'online' : 'offline' } : { kind: 'ignored' };
  }
  return metric in OVMS_METRICS ? { kind: 'value' } : { kind: 'ignored' };
}

/**
 * One window's metrics as a contract vehicle sample, stamped with v.p.gpstime when the window has
 * one later than the device's last (`lastGpstimeMs`), else with `receivedAt`. OVMS writes gpstime
 * through a float conversion, so its text moves in steps of 128 s (OvmsMetricInt64::AsString, see
 * test/fixtures/profiles/ovms-v3/README.md) and is published only when it changed: stamping every
 * round with it would give rounds the same ts, and all but the first would be dropped as
 * duplicates. A new step is never later than the true time and later than the rounds before it,
 * so the order of samples holds. Returns the gpstime it stamped with, if any.
 */
export function ovmsBodies(values: Map<string, string | undefined>, receivedAt: number, lastGpstimeMs: number | undefined): AssembledBodies & { gpstimeMs?: number } {
  const fields: Record<string, unknown> = {};
  for (const [metric, text] of values) {
    const field = OVMS_METRICS[metric];
    fields[field] = BOOLEAN_METRICS.has(metric) ? booleanText(text) : numberText(text);
  }
  const gpstime = fields.ts;
  const gpstimeMs = typeof gpstime === 'number' ? Math.round(gpstime * 1000) : undefined;
  const stampWithGps = gpstimeMs !== undefined && (lastGpstimeMs === undefined || gpstimeMs > lastGpstimeMs);
  // Text that is no number goes on as the ts, for the contract's check to name.
  const ts = stampWithGps ? gpstimeMs : gpstime === undefined || gpstimeMs !== undefined ? receivedAt : gpstime;
  const body = definedOnly({ ...fields, ts });
  keepWholePosition(body);
  return { vehicle: body, gpstimeMs: stampWithGps ? gpstimeMs : undefined };
}
