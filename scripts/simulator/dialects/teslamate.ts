/**
 * TeslaMate (lib/teslamate/mqtt/pubsub/vehicle_subscriber.ex): per vehicle summary the values that
 * changed since the last publish, on `teslamate[/<namespace>]/cars/<carId>/<key>`, QoS 1, retained,
 * except `healthy` (every summary, not retained). No time of its own: the service stamps at receipt.
 * Text as Elixir's to_string/1: floats always with a fraction (`48211.0`), `speed` a rounded integer
 * and not published while parked (nil is skipped), `location` JSON beside latitude/longitude.
 * `charge_energy_added` (kWh of the running session) restarts at 0.0 with each session and keeps its
 * final value until the next.
 */
import type { Sample, SimMessage } from '../generator';
import { DeviceEncoder, WireMessage, booleanIn, numberIn, round } from './wire';

const elixirFloat = (value: number) => (Number.isInteger(value) ? `${value}.0` : String(value));

export class TeslaMateEncoder implements DeviceEncoder {
  private readonly published = new Map<string, string>();
  private charging = false;
  /** The car's grid counter when the running (or last) session started. */
  private sessionStart: number | null = null;

  constructor(
    private readonly base: string,
    private readonly deviceId: string,
  ) {}

  encode(message: SimMessage): WireMessage[] {
    if (typeof message.samples === 'string') return [this.wire('healthy', message.samples === 'online' ? 'true' : 'false')];
    return message.samples.flatMap((sample) => this.summary(sample));
  }

  private summary(sample: Sample): WireMessage[] {
    const values = new Map<string, string>();
    const ignition = booleanIn(sample, 'ignition');
    const charging = booleanIn(sample, 'charging') ?? false;
    const odometer = numberIn(sample, 'odometerKm');
    const speed = numberIn(sample, 'speedKmh');
    const lat = numberIn(sample, 'lat');
    const lon = numberIn(sample, 'lon');
    const soc = numberIn(sample, 'socPct');
    const grid = numberIn(sample, 'energyChargedKwh');
    values.set('state', ignition ? 'driving' : charging ? 'charging' : 'online');
    if (odometer !== undefined) values.set('odometer', elixirFloat(round(odometer, 2)));
    if (ignition && speed !== undefined) values.set('speed', String(Math.round(speed)));
    if (lat !== undefined && lon !== undefined) {
      values.set('latitude', elixirFloat(lat));
      values.set('longitude', elixirFloat(lon));
      values.set('location', JSON.stringify({ latitude: lat, longitude: lon }));
    }
    if (soc !== undefined) values.set('battery_level', String(Math.round(soc)));
    if (charging && !this.charging) this.sessionStart = grid ?? null;
    if (grid !== undefined && this.sessionStart !== null && (charging || this.charging)) values.set('charge_energy_added', elixirFloat(round(grid - this.sessionStart, 2)));
    // Complete after a session until the car drives off (unplugged).
    values.set('charging_state', charging ? 'Charging' : this.charging ? 'Complete' : ignition ? 'Disconnected' : (this.published.get('charging_state') ?? 'Disconnected'));
    this.charging = charging;
    const out: WireMessage[] = [];
    for (const [key, value] of values) {
      if (this.published.get(key) === value) continue;
      this.published.set(key, value);
      out.push(this.wire(key, value));
    }
    out.push(this.wire('healthy', 'true'));
    return out;
  }

  private wire(key: string, payload: string): WireMessage {
    return { topic: this.base + key, payload, retain: key !== 'healthy', qos: 1, deviceId: this.deviceId, json: false };
  }
}
