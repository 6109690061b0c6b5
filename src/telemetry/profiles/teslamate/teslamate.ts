import { AssembledBodies, ValueKind, definedOnly, keepWholePosition } from '../assembled-profile';
import { booleanText, numberText } from '../values';

/**
 * TeslaMate's MQTT integration to telemetry contract v1.
 *
 * Topics `teslamate[/<namespace>]/cars/<carId>/<key>` (MQTT_NAMESPACE sets the namespace), QoS 1,
 * retained except `healthy`, published when a value changes. Values are Elixir's `to_string`:
 * `nil` is an empty payload, floats may come as `1.0e6`. Identity `[<namespace>/]<carId>`.
 * Source: teslamate lib/teslamate/mqtt/pubsub/vehicle_subscriber.ex.
 *
 * | key                               | contract field                                      |
 * |-----------------------------------|-----------------------------------------------------|
 * | odometer (km)                     | odometerKm                                          |
 * | speed (km/h)                      | speedKmh (empty = unknown); 0 when `state` leaves `driving` without a speed |
 * | location {"latitude","longitude"} | lat, lon (preferred)                                |
 * | latitude, longitude (deprecated)  | lat, lon when no location came in the window        |
 * | battery_level (%)                 | socPct                                              |
 * | state                             | ignition: true while `driving`, else false          |
 * | charging_state                    | charging: true while `Charging`, else false         |
 * | charge_energy_added (kWh/session) | energyChargedKwh: the car's cumulative total (charge-totals.ts) |
 * | healthy (true/false)              | connection event online / offline                   |
 *
 * Every other key is ignored (counted).
 *
 * TeslaMate publishes nothing for a value that became nil unless the key is in its
 * `@publish_if_nil` list, and `speed` is not: the last driving speed stays retained after the car
 * parks. A `state` other than `driving` in a window without a speed is therefore read as standing
 * still, or a parked car would show its last speed on the board for hours.
 */
const KEYS = new Set(['odometer', 'speed', 'location', 'latitude', 'longitude', 'battery_level', 'state', 'charging_state', 'charge_energy_added']);
const TOPIC = /^teslamate\/(?:([^/]+)\/)?cars\/([0-9]+)\/([^/]+)$/;

export const CHARGE_ENERGY_ADDED = 'charge_energy_added';

export function teslamateTopic(topic: string): { identity: string; key: string } | undefined {
  const match = TOPIC.exec(topic);
  if (!match) return undefined;
  const [, namespace, carId, key] = match;
  return { identity: namespace === undefined ? carId : `${namespace}/${carId}`, key };
}

export function teslamateValueKind(key: string, text: string | undefined): ValueKind {
  if (key === 'healthy') {
    const state = booleanText(text);
    return typeof state === 'boolean' ? { kind: 'connection', state: state ? 'online' : 'offline' } : { kind: 'ignored' };
  }
  return KEYS.has(key) ? { kind: 'value' } : { kind: 'ignored' };
}

/**
 * One window's values as a contract vehicle sample stamped with the window's first receive time
 * (TeslaMate sends no time of its own). `chargedKwh` is the car's cumulative total, when the
 * window held a charge_energy_added.
 */
export function teslamateBodies(values: Map<string, string | undefined>, receivedAt: number, chargedKwh: number | string | undefined): AssembledBodies {
  const text = (key: string) => values.get(key);
  const state = text('state');
  const chargingState = text('charging_state');
  const position = location(text('location')) ?? { lat: numberText(text('latitude')), lon: numberText(text('longitude')) };
  const body = definedOnly({
    ts: receivedAt,
    odometerKm: numberText(text('odometer')),
    speedKmh: !values.has('speed') && state !== undefined && state !== 'driving' ? 0 : numberText(text('speed')),
    ...position,
    socPct: numberText(text('battery_level')),
    ignition: state === undefined ? undefined : state === 'driving',
    charging: chargingState === undefined ? undefined : chargingState === 'Charging',
    energyChargedKwh: chargedKwh,
  });
  keepWholePosition(body);
  return { vehicle: body };
}

function location(text: string | undefined): { lat: unknown; lon: unknown } | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { latitude?: unknown; longitude?: unknown };
    return parsed && typeof parsed === 'object' ? { lat: parsed.latitude ?? undefined, lon: parsed.longitude ?? undefined } : undefined;
  } catch {
    return { lat: text, lon: text }; // not JSON: the contract's check names it
  }
}
