/**
 * An OVMS v3 module's server v3 (components/ovms_server_v3/src/ovms_server_v3.cpp): each modified
 * metric on `<prefix>metric/<metric with . as />`, QoS 0, retained, its text as the metric's
 * AsString() (main/ovms_metrics.cpp): floats like C++ `ostream` with precision 6 (`23422`,
 * `5151.36`, `1.23457e+06`), lat/lon with 6 fixed decimals, booleans `yes`/`no`. Connection:
 * `s/v3/connected` `yes`, and `no` as the module's retained last will. The module's GPS time
 * (`v.p.gpstime`) is left out: its text is rounded to 128 s (see test/fixtures/profiles/ovms-v3).
 */
import type { Sample, SimMessage } from '../generator';
import { DeviceEncoder, WireMessage, booleanIn, numberIn, round } from './wire';

/** C++ `ostream << double` with the default precision 6 (`%g`). */
export function cppG6(value: number): string {
  if (value === 0) return '0';
  const trim = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
  const exponent = Math.floor(Math.log10(Math.abs(Number(value.toPrecision(6)))));
  if (exponent < -4 || exponent >= 6) {
    return `${trim((value / 10 ** exponent).toPrecision(6))}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trim(value.toPrecision(6));
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

export class OvmsEncoder implements DeviceEncoder {
  private readonly published = new Map<string, string>();

  constructor(
    private readonly prefix: string,
    private readonly deviceId: string,
  ) {}

  encode(message: SimMessage): WireMessage[] {
    if (typeof message.samples === 'string') return [this.wire('s.v3.connected', message.samples === 'online' ? 'yes' : 'no')];
    return message.samples.flatMap((sample) => this.round(sample));
  }

  /** One ticker round: the metrics whose value changed. */
  private round(sample: Sample): WireMessage[] {
    const metrics: [string, string | undefined][] = [
      ['v.p.odometer', fmt(numberIn(sample, 'odometerKm'), (v) => cppG6(round(v, 1)))],
      ['v.p.speed', fmt(numberIn(sample, 'speedKmh'), (v) => cppG6(round(v, 1)))],
      ['v.p.latitude', fmt(numberIn(sample, 'lat'), (v) => v.toFixed(6))],
      ['v.p.longitude', fmt(numberIn(sample, 'lon'), (v) => v.toFixed(6))],
      ['v.b.soc', fmt(numberIn(sample, 'socPct'), (v) => cppG6(round(v, 1)))],
      ['v.e.on', fmt(booleanIn(sample, 'ignition'), yesNo)],
      ['v.c.charging', fmt(booleanIn(sample, 'charging'), yesNo)],
      ['v.c.kwh.grid.total', fmt(numberIn(sample, 'energyChargedKwh'), (v) => cppG6(round(v, 2)))],
      ['v.b.energy.used.total', fmt(numberIn(sample, 'energyConsumedKwh'), (v) => cppG6(round(v, 2)))],
    ];
    const out: WireMessage[] = [];
    for (const [metric, text] of metrics) {
      if (text === undefined || this.published.get(metric) === text) continue;
      this.published.set(metric, text);
      out.push(this.wire(metric, text));
    }
    return out;
  }

  private wire(metric: string, payload: string): WireMessage {
    return { topic: `${this.prefix}metric/${metric.replace(/\./g, '/')}`, payload, retain: true, qos: 0, deviceId: this.deviceId, json: false };
  }
}

function fmt<T>(value: T | undefined, format: (value: T) => string): string | undefined {
  return value === undefined ? undefined : format(value);
}
