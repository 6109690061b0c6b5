import fc from 'fast-check';
import { DeriveVehicleDaysJob } from '../../src/fleet/jobs/derive-vehicle-days.job';
import { DayRanges } from '../../src/platform/time/day-ranges';
import { RawSampleRepository } from '../../src/telemetry/storage/raw-sample.repository';
import { emptyBatch } from '../../src/telemetry/storage/raw-batch';
import { VehicleSample } from '../../src/telemetry/contract/samples';
import { registerVehicles } from '../support/fleet-fixture';
import { Sql } from '../support/sql';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * Order independence as a property: whatever order and grouping the samples of two days arrive in
 * (each arrival followed by the derivation jobs it causes), the trips and daily rollups come out
 * the same as from all samples at once.
 */
describe('fleet: derived figures do not depend on arrival order', () => {
  let t: TestApp;
  let sql: Sql;
  let vehicles: string[];

  beforeAll(async () => {
    t = await startTestApp({ APP_ROLES: 'api,worker' });
    sql = await Sql.connect(t.database.url);
    vehicles = [...(await registerVehicles(sql, 16, 'veh-order')).values()];
  });

  afterAll(async () => {
    await sql?.close();
    await t?.close();
  });

  /** Two working days of one vehicle around local midnight, with a reset and an implausible jump. */
  function samples(): VehicleSample[] {
    const start = Date.parse('2026-04-14T18:00:00Z');
    let odometer = 5000;
    let fuel = 300;
    return Array.from({ length: 48 }, (_, i) => {
      const moving = i % 12 >= 2 && i % 12 <= 8;
      if (moving) {
        odometer += 4.5;
        fuel += 0.3;
      }
      if (i === 30) odometer = 2; // reset
      if (i === 40) odometer += 900; // implausible jump
      return {
        ts: start + i * 10 * 60_000,
        odometerKm: odometer,
        fuelUsedL: fuel,
        speedKmh: moving ? 30 : 0,
        ignition: moving,
        lat: 59.9,
        lon: 10.5,
        socPct: null,
        energyConsumedKwh: null,
        energyChargedKwh: null,
        gasUsedKg: null,
        fuelLevelPct: null,
        charging: null,
      };
    });
  }

  async function arrive(vehicleId: string, group: VehicleSample[]) {
    const batch = emptyBatch();
    batch.vehicleSamples.push(...group.map((sample) => ({ ...sample, vehicleId })));
    await t.app.get(RawSampleRepository).write(batch);
    // The jobs the ingest would enqueue for this batch: its UTC days as ranges.
    const ranges = new DayRanges();
    for (const sample of group) ranges.add(vehicleId, new Date(sample.ts).toISOString().slice(0, 10));
    const job = t.app.get(DeriveVehicleDaysJob);
    for (const { days } of ranges.take()) await job.handle({ vehicleId, firstDay: days.firstDay, lastDay: days.lastDay });
  }

  async function derived(vehicleId: string) {
    const days = await sql.rows(
      `SELECT day::text, distance_km, driving_seconds, fuel_used_l, sample_count, reset_count, implausible_count, long_gap_count
         FROM vehicle_daily WHERE vehicle_id = $1 ORDER BY day`,
      [vehicleId],
    );
    const trips = await sql.rows(`SELECT started_at, ended_at, distance_km, fuel_used_l, sample_count, start_lat, end_lat FROM trips WHERE vehicle_id = $1 ORDER BY started_at`, [vehicleId]);
    const round = (rows: Array<Record<string, unknown>>) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v])));
    return { days: round(days), trips: round(trips) };
  }

  it('holds for random permutations and groupings', async () => {
    const all = samples();
    const [reference, ...others] = vehicles;
    await arrive(reference, all);
    const expected = await derived(reference);
    expect(expected.days.length).toBeGreaterThanOrEqual(2);
    expect(expected.trips.length).toBeGreaterThanOrEqual(3);

    let next = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(
          all.map((_, i) => i),
          { minLength: all.length, maxLength: all.length },
        ),
        fc.integer({ min: 1, max: 12 }),
        async (order, groupSize) => {
          const vehicleId = others[next++];
          const shuffled = order.map((i) => all[i]);
          for (let i = 0; i < shuffled.length; i += groupSize) await arrive(vehicleId, shuffled.slice(i, i + groupSize));
          expect(await derived(vehicleId)).toEqual(expected);
        },
      ),
      { numRuns: others.length, seed: 20261128 },
    );
  });
});
