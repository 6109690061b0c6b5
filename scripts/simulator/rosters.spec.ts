import path from 'path';
import { loadFleet } from './fleet';
import { addDays, osloMidnight } from './oslo-time';
import { assignDuties } from './rosters';
import { vehicleDay } from './vehicle-day';
import { vehicleDayTotals } from './vehicle-model';

const HOME_CARE = 'Bærum kommune – Hjemmetjenesten';
const ZERO = { odometerKm: 0, fuelUsedL: 0, gasUsedKg: 0, energyConsumedKwh: 0, energyChargedKwh: 0 };

describe('rosters', () => {
  it("rotates a round-the-clock department's vehicles through its shifts, each publisher on its own", () => {
    const cars = (profile: 'teslamate' | undefined, count: number, departmentName: string) =>
      Array.from({ length: count }, (_, i) => ({ deviceId: `${profile ?? 'v1'}-${departmentName}-${i}`, department: departmentName, departmentName, profile }));
    const duties = assignDuties([...cars('teslamate', 4, HOME_CARE), ...cars(undefined, 2, HOME_CARE), ...cars(undefined, 3, 'Bærum kommune – Barnehager')]);
    const of = (prefix: string) =>
      [...duties]
        .filter(([id]) => id.startsWith(prefix))
        .map(([, duty]) => `${duty.shift}${duty.everyDay ? '*' : ''}`)
        .sort();
    expect(of(`teslamate-${HOME_CARE}`)).toEqual(['day*', 'evening*', 'late*', 'night*']);
    expect(of(`v1-${HOME_CARE}`)).toEqual(['day*', 'evening*']);
    expect(of('v1-Bærum kommune – Barnehager')).toEqual(['day', 'day', 'day']);
  });

  it('keeps every publisher of the demo fleet moving through the whole week, nights and weekends included', () => {
    const fleet = loadFleet(path.resolve(__dirname, '../../demo/baerum-fleet.yaml'));
    const publishers = ['klimaklok-v1', 'teslamate', 'ovms-v3', 'owntracks', 'teltonika-json'];
    for (let date = '2026-11-30'; date < '2026-12-07'; date = addDays(date, 1)) {
      const midnight = osloMidnight(date);
      // Quarter hours of the day in which a vehicle of the publisher drives.
      const driving = new Map(publishers.map((publisher) => [publisher, new Set<number>()]));
      for (const vehicle of fleet.vehicles) {
        for (const sample of vehicleDay(vehicle, date, ZERO, vehicleDayTotals(vehicle, date, 1), 1)) {
          if (sample.speedKmh > 0) driving.get(vehicle.profile ?? 'klimaklok-v1')!.add(Math.floor((sample.ts - midnight) / 900_000));
        }
      }
      const between = (quarters: Set<number>, fromHour: number, toHour: number) => [...quarters].some((q) => q >= fromHour * 4 && q < toHour * 4);
      const evening = (quarters: Set<number>) => between(quarters, 17, 20);
      const late = (quarters: Set<number>) => between(quarters, 21, 23);
      const night = (quarters: Set<number>) => between(quarters, 1, 4);
      for (const [publisher, quarters] of driving) {
        expect({ date, publisher, share: quarters.size / 96 >= 0.5, evening: evening(quarters), late: late(quarters), night: night(quarters) }).toEqual({
          date,
          publisher,
          share: true,
          evening: true,
          late: true,
          night: true,
        });
      }
    }
  });
});
