/**
 * What a run published, added up the way the reports would: counter deltas per vehicle class,
 * carrier and (Oslo) year, charging sessions per year, and the passenger cars' tank-to-wheel
 * change between consecutive years. Used to check the demo's tuning against what actually went
 * out (`--summary`), not against the model's intentions.
 */
import type { SimFleet, SimVehicle } from './fleet';
import type { SimMessage } from './generator';
import type { OcppCall } from './ocpp-calls';
import { osloDateOf } from './oslo-time';

const COUNTERS = ['odometerKm', 'fuelUsedL', 'gasUsedKg', 'energyConsumedKwh', 'energyChargedKwh'] as const;
type Counter = (typeof COUNTERS)[number];

/** Fossil TTW kg CO2 per litre (Miljødirektoratet) and the bio share of pump fuel by year (the default factor set, docs/emissions.md). */
const FOSSIL_KG_PER_L = { petrol: 2.32, diesel: 2.66 } as const;
const BIO_SHARE: Record<number, { petrol: number; diesel: number }> = {
  2018: { petrol: 0.04, diesel: 0.1 },
  2019: { petrol: 0.04, diesel: 0.12 },
  2020: { petrol: 0.08, diesel: 0.15 },
};

function bioShare(year: number): { petrol: number; diesel: number } {
  const known = Object.keys(BIO_SHARE)
    .map(Number)
    .filter((candidate) => candidate <= year);
  return known.length > 0 ? BIO_SHARE[Math.max(...known)] : { petrol: 0, diesel: 0 };
}

export class RunSummary {
  messages = 0;
  samples = 0;
  bytes = 0;
  readonly streams = new Map<string, { messages: number; samples: number }>();
  /** `${year}|${class}|${carrier}` -> counter deltas. */
  readonly vehicleTotals = new Map<string, Record<Counter, number>>();
  readonly chargingByYear = new Map<number, { sessions: number; energyKwh: number }>();
  private readonly vehicles: Map<string, SimVehicle>;
  private readonly lastCounters = new Map<string, Partial<Record<Counter, number>>>();
  private readonly openTransactions = new Map<string, number>();

  constructor(fleet: SimFleet) {
    this.vehicles = new Map(fleet.vehicles.map((vehicle) => [vehicle.deviceId, vehicle]));
  }

  observe(message: SimMessage, bytes: number): void {
    const stream = message.topic.slice(message.topic.lastIndexOf('/') + 1);
    const count = typeof message.samples === 'string' ? 0 : message.samples.length;
    this.messages += 1;
    this.samples += count;
    this.bytes += bytes;
    const entry = this.streams.get(stream) ?? { messages: 0, samples: 0 };
    entry.messages += 1;
    entry.samples += count;
    this.streams.set(stream, entry);
    if (typeof message.samples === 'string') return;
    if (stream === 'telemetry') this.observeVehicle(message.deviceId, message.samples);
    if (stream === 'transaction') this.observeTransactions(message.deviceId, message.samples);
  }

  /** An OCPP point's call, counted per action; its transactions add up like the MQTT points'. */
  observeCall(call: OcppCall, bytes: number): void {
    this.messages += 1;
    this.samples += call.samples;
    this.bytes += bytes;
    const stream = `ocpp ${call.action}`;
    const entry = this.streams.get(stream) ?? { messages: 0, samples: 0 };
    entry.messages += 1;
    entry.samples += call.samples;
    this.streams.set(stream, entry);
    if (call.action === 'StartTransaction' && call.samples > 0) {
      this.observeTransactions(call.deviceId, [{ event: 'start', transactionId: call.transaction, meterWh: call.payload.meterStart, ts: call.payload.timestamp }]);
    }
    if (call.action === 'StopTransaction') {
      this.observeTransactions(call.deviceId, [{ event: 'stop', transactionId: call.transaction, meterWh: call.payload.meterStop, ts: call.payload.timestamp }]);
    }
  }

  private observeVehicle(deviceId: string, samples: Record<string, unknown>[]): void {
    const vehicle = this.vehicles.get(deviceId);
    if (!vehicle) return;
    const last = this.lastCounters.get(deviceId) ?? {};
    for (const sample of samples) {
      // A delta between two samples goes to the year of the later one: samples come at least every 30 minutes, so the error at New Year is nil.
      const year = Number(osloDateOf(Date.parse(String(sample.ts))).slice(0, 4));
      const key = `${year}|${vehicle.vehicleClass}|${vehicle.energyCarrier}`;
      const totals = this.vehicleTotals.get(key) ?? { odometerKm: 0, fuelUsedL: 0, gasUsedKg: 0, energyConsumedKwh: 0, energyChargedKwh: 0 };
      for (const counter of COUNTERS) {
        const value = sample[counter];
        if (typeof value !== 'number') continue;
        const previous = last[counter];
        if (previous !== undefined && value >= previous) totals[counter] += value - previous;
        last[counter] = value;
      }
      this.vehicleTotals.set(key, totals);
    }
    this.lastCounters.set(deviceId, last);
  }

  private observeTransactions(deviceId: string, events: Record<string, unknown>[]): void {
    for (const event of events) {
      const key = `${deviceId}|${String(event.transactionId)}`;
      if (event.event === 'start') this.openTransactions.set(key, Number(event.meterWh));
      else if (this.openTransactions.has(key)) {
        const year = Number(osloDateOf(Date.parse(String(event.ts))).slice(0, 4));
        const entry = this.chargingByYear.get(year) ?? { sessions: 0, energyKwh: 0 };
        entry.sessions += 1;
        entry.energyKwh += (Number(event.meterWh) - this.openTransactions.get(key)!) / 1000;
        this.chargingByYear.set(year, entry);
        this.openTransactions.delete(key);
      }
    }
  }

  /** Passenger-car TTW kg CO2 per year: fossil factors only, and with the year's bio blend. */
  passengerCarTtw(): Map<number, { fossilKg: number; blendedKg: number; petrolL: number; dieselL: number }> {
    const result = new Map<number, { fossilKg: number; blendedKg: number; petrolL: number; dieselL: number }>();
    for (const [key, totals] of this.vehicleTotals) {
      const [yearText, vehicleClass, carrier] = key.split('|');
      if (vehicleClass !== 'passenger_car' || (carrier !== 'petrol' && carrier !== 'diesel')) continue;
      const year = Number(yearText);
      const entry = result.get(year) ?? { fossilKg: 0, blendedKg: 0, petrolL: 0, dieselL: 0 };
      const litres = totals.fuelUsedL;
      entry[carrier === 'petrol' ? 'petrolL' : 'dieselL'] += litres;
      entry.fossilKg += litres * FOSSIL_KG_PER_L[carrier];
      entry.blendedKg += litres * FOSSIL_KG_PER_L[carrier] * (1 - bioShare(year)[carrier]);
      result.set(year, entry);
    }
    return result;
  }

  report(elapsedMs: number): string {
    const lines: string[] = [];
    const rate = (n: number) => (elapsedMs > 0 ? Math.round((n * 1000) / elapsedMs) : 0);
    lines.push(
      `messages ${this.messages}, samples ${this.samples}, payload ${(this.bytes / 1_048_576).toFixed(1)} MiB in ${(elapsedMs / 1000).toFixed(1)} s (${rate(this.messages)} msg/s, ${rate(this.samples)} samples/s)`,
    );
    for (const [stream, entry] of [...this.streams].sort()) lines.push(`  ${stream.padEnd(26)} messages ${String(entry.messages).padStart(9)}  samples ${String(entry.samples).padStart(10)}`);
    lines.push('vehicle counters by year, class and carrier (sum of deltas):');
    lines.push(`  ${'year class/carrier'.padEnd(32)} ${'km'.padStart(12)} ${'fuel L'.padStart(11)} ${'gas kg'.padStart(9)} ${'used kWh'.padStart(10)} ${'grid kWh'.padStart(10)}`);
    for (const [key, t] of [...this.vehicleTotals].sort(([a], [b]) => a.localeCompare(b))) {
      const [year, vehicleClass, carrier] = key.split('|');
      lines.push(
        `  ${`${year} ${vehicleClass}/${carrier}`.padEnd(32)} ${t.odometerKm.toFixed(0).padStart(12)} ${t.fuelUsedL.toFixed(0).padStart(11)} ${t.gasUsedKg.toFixed(0).padStart(9)} ${t.energyConsumedKwh.toFixed(0).padStart(10)} ${t.energyChargedKwh.toFixed(0).padStart(10)}`,
      );
    }
    for (const [year, entry] of [...this.chargingByYear].sort(([a], [b]) => a - b)) {
      lines.push(`charge points ${year}: ${entry.sessions} sessions, ${entry.energyKwh.toFixed(0)} kWh`);
    }
    const ttw = [...this.passengerCarTtw()].sort(([a], [b]) => a - b);
    for (const [year, entry] of ttw) {
      lines.push(
        `passenger cars ${year}: petrol ${entry.petrolL.toFixed(0)} L, diesel ${entry.dieselL.toFixed(0)} L, TTW ${(entry.fossilKg / 1000).toFixed(1)} t fossil-only, ${(entry.blendedKg / 1000).toFixed(1)} t with bio blend`,
      );
    }
    for (let index = 1; index < ttw.length; index += 1) {
      const [[baseYear, base], [year, current]] = [ttw[index - 1], ttw[index]];
      const change = (a: number, b: number) => ((100 * (b - a)) / a).toFixed(1);
      lines.push(`passenger-car TTW change ${baseYear} -> ${year}: ${change(base.fossilKg, current.fossilKg)} % (fossil factors), ${change(base.blendedKg, current.blendedKg)} % (with bio blend)`);
    }
    return lines.join('\n');
  }
}
