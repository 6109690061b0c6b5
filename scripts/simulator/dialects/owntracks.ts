/**
 * A vehicle tracker in the OwnTracks JSON format, as qtripp publishes Queclink reports (owntracks
 * booklet docs/tech/json.md; jpmens/qtripp tline.c): `_type` `location` on `owntracks/<user>/<device>`,
 * retained, with `tst` (epoch s), `lat`/`lon` (6 decimals), `vel` (km/h, 1 decimal, also when 0),
 * `odometer` (km, 1 decimal), `ign`, `t` `i`/`I` on an ignition change; `_type` `lwt`, not retained,
 * when the device goes away. qtripp publishes at QoS 2; the simulator uses 1, all the contract asks.
 */
import type { SimMessage } from '../generator';
import { DeviceEncoder, WireMessage, booleanIn, numberIn, sampleTime } from './wire';

export class OwnTracksEncoder implements DeviceEncoder {
  private ignition: boolean | undefined;

  constructor(
    private readonly topic: string,
    private readonly tid: string,
    private readonly deviceId: string,
  ) {}

  encode(message: SimMessage): WireMessage[] {
    if (typeof message.samples === 'string') {
      // Coming online is no message of its own: the next location says it.
      if (message.samples === 'online') return [];
      return [this.wire(`{"_type":"lwt","tst":${Math.floor(message.at / 1000)}}`, false)];
    }
    const out: WireMessage[] = [];
    for (const sample of message.samples) {
      const lat = numberIn(sample, 'lat');
      const lon = numberIn(sample, 'lon');
      // A location without a fix is not published by the apps or qtripp.
      if (lat === undefined || lon === undefined) continue;
      const ignition = booleanIn(sample, 'ignition');
      const trigger = ignition !== undefined && this.ignition !== undefined && ignition !== this.ignition ? (ignition ? 'i' : 'I') : null;
      if (ignition !== undefined) this.ignition = ignition;
      const fields: string[] = ['"_type":"location"'];
      if (trigger) fields.push(`"t":"${trigger}"`);
      fields.push(`"tid":${JSON.stringify(this.tid)}`, `"lat":${lat.toFixed(6)}`, `"lon":${lon.toFixed(6)}`);
      fields.push(`"vel":${(numberIn(sample, 'speedKmh') ?? 0).toFixed(1)}`, `"tst":${Math.floor(sampleTime(sample) / 1000)}`);
      const odometer = numberIn(sample, 'odometerKm');
      if (odometer !== undefined) fields.push(`"odometer":${odometer.toFixed(1)}`);
      if (ignition !== undefined) fields.push(`"ign":${ignition}`);
      out.push(this.wire(`{${fields.join(',')}}`, true));
    }
    return out;
  }

  private wire(payload: string, retain: boolean): WireMessage {
    return { topic: this.topic, payload, retain, qos: 1, deviceId: this.deviceId, json: true };
  }
}
