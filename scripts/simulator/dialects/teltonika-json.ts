/**
 * A Teltonika FMx tracker with the MQTT "Codec JSON" (Teltonika wiki: Codec JSON, Data Sending
 * Parameters ID): one record `{"state":{"reported":{...}}}` per message on its topic (default
 * `<imei>/data`), `ts` in epoch ms, `latlng` "lat,lon" (6 decimals; `0.000000,0.000000` without a
 * fix), `sp` km/h, `evt` the AVL id that caused an eventual record (239 on an ignition change,
 * else 0), AVL ids as keys: 239 ignition, 240 movement, 66 external voltage (mV), 16 total odometer (m).
 * Not retained, QoS 1. The tracker has no connection topic.
 */
import type { SimMessage } from '../generator';
import { DeviceEncoder, WireMessage, booleanIn, numberIn, sampleTime } from './wire';

export class TeltonikaEncoder implements DeviceEncoder {
  private ignition: boolean | undefined;

  constructor(
    private readonly topic: string,
    private readonly deviceId: string,
  ) {}

  encode(message: SimMessage): WireMessage[] {
    if (typeof message.samples === 'string') return [];
    return message.samples.map((sample) => {
      const lat = numberIn(sample, 'lat');
      const lon = numberIn(sample, 'lon');
      const fix = lat !== undefined && lon !== undefined;
      const speed = Math.round(numberIn(sample, 'speedKmh') ?? 0);
      const ignition = booleanIn(sample, 'ignition') ?? false;
      const changed = this.ignition !== undefined && ignition !== this.ignition;
      this.ignition = ignition;
      const odometer = numberIn(sample, 'odometerKm');
      const reported: [string, unknown][] = [
        ['ts', sampleTime(sample)],
        ['pr', changed ? 1 : 0],
        ['latlng', fix ? `${lat.toFixed(6)},${lon.toFixed(6)}` : '0.000000,0.000000'],
        ['alt', 0],
        ['ang', 0],
        ['sat', fix ? 10 : 0],
        ['sp', speed],
        ['evt', changed ? 239 : 0],
        ['239', ignition ? 1 : 0],
        ['240', speed > 0 ? 1 : 0],
        ['66', ignition ? 14100 : 12600],
      ];
      if (odometer !== undefined) reported.push(['16', Math.round(odometer * 1000)]);
      // By hand: JSON.stringify of an object would move the numeric keys before `ts`.
      const payload = `{"state":{"reported":{${reported.map(([key, value]) => `"${key}":${JSON.stringify(value)}`).join(',')}}}}`;
      return { topic: this.topic, payload, retain: false, qos: 1, deviceId: this.deviceId, json: true };
    });
  }
}
