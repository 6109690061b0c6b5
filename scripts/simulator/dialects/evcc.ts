/**
 * An evcc loadpoint (server/mqtt.go, cmd/setup.go of evcc-io/evcc): every control cycle
 * `<root>/updated` (unix s) and then the loadpoint's values, one per topic
 * `<root>/loadpoints/<n>/<key>`, retained, QoS 1; `<root>/status` `online`, last will `offline`.
 * Text: floats `%.3f` with trailing zeros trimmed, booleans `true`/`false`. Taken from the charge
 * point's OCPP-like events: connected (a vehicle at the connector), charging, chargePower (W),
 * chargeTotalImport (the meter, kWh), sessionEnergy and its deprecated alias chargedEnergy (Wh of
 * the running session).
 */
import type { Sample, SimMessage } from '../generator';
import { DeviceEncoder, WireMessage, numberIn, sampleTime } from './wire';

const evccFloat = (value: number) => {
  const text = value.toFixed(3);
  return text.replace(/0+$/, '').replace(/\.$/, '');
};

const OCCUPIED = new Set(['Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing']);

export class EvccEncoder implements DeviceEncoder {
  private connected = false;
  private charging = false;
  private powerW = 0;
  private registerWh: number | null = null;
  private sessionStartWh: number | null = null;

  constructor(
    private readonly root: string,
    private readonly loadpoint: string,
    private readonly deviceId: string,
  ) {}

  encode(message: SimMessage): WireMessage[] {
    if (typeof message.samples === 'string') return [this.wire(`${this.root}/status`, message.samples)];
    const stream = message.topic.slice(message.topic.lastIndexOf('/') + 1);
    return message.samples.flatMap((sample) => {
      this.take(stream, sample);
      return this.cycle(sampleTime(sample));
    });
  }

  /** Only connector 1 (and the whole point's register, connector 0) exist for a loadpoint. */
  private take(stream: string, sample: Sample): void {
    const connector = numberIn(sample, 'connectorId');
    if (connector !== 0 && connector !== 1) return;
    if (stream === 'status' && connector === 1) {
      this.connected = OCCUPIED.has(String(sample.status));
      this.charging = sample.status === 'Charging';
      if (!this.charging) this.powerW = 0;
    } else if (stream === 'meter') {
      const energy = numberIn(sample, 'energyWh');
      const power = numberIn(sample, 'powerW');
      if (energy !== undefined) this.registerWh = energy;
      if (power !== undefined && connector === 1) this.powerW = power;
    } else if (stream === 'transaction' && sample.event === 'start') {
      this.sessionStartWh = numberIn(sample, 'meterWh') ?? this.registerWh;
    }
  }

  private cycle(ms: number): WireMessage[] {
    const lp = `${this.root}/loadpoints/${this.loadpoint}/`;
    const sessionWh = this.connected && this.registerWh !== null && this.sessionStartWh !== null ? Math.max(0, this.registerWh - this.sessionStartWh) : 0;
    const out = [
      this.wire(`${this.root}/updated`, String(Math.floor(ms / 1000))),
      this.wire(`${lp}connected`, String(this.connected)),
      this.wire(`${lp}charging`, String(this.charging)),
      this.wire(`${lp}chargePower`, evccFloat(this.powerW)),
      this.wire(`${lp}sessionEnergy`, evccFloat(sessionWh)),
      this.wire(`${lp}chargedEnergy`, evccFloat(sessionWh)),
    ];
    if (this.registerWh !== null) out.push(this.wire(`${lp}chargeTotalImport`, evccFloat(this.registerWh / 1000)));
    return out;
  }

  private wire(topic: string, payload: string): WireMessage {
    return { topic, payload, retain: true, qos: 1, deviceId: this.deviceId, json: false };
  }
}
