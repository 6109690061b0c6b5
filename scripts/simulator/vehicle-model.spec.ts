import path from 'path';
import { loadFleet } from './fleet';
import { addDays, isWorkingDay } from './oslo-time';
import { VehicleLedger, addCounters, vehicleDayTotals } from './vehicle-model';

const demo = loadFleet(path.resolve(__dirname, '../../demo/baerum-fleet.yaml'));
const cars = demo.vehicles.filter((vehicle) => vehicle.vehicleClass === 'passenger_car');

function* daysOf(year: number) {
  for (let date = `${year}-01-01`; date < `${year + 1}-01-01`; date = addDays(date, 1)) yield date;
}

describe('vehicle model', () => {
  it("brings the demo passenger cars' tank-to-wheel emissions about 25 % down from 2018 to 2019", () => {
    const ttw = (year: number, bio: { petrol: number; diesel: number }) => {
      let kg = 0;
      for (const car of cars.filter((c) => c.energyCarrier === 'petrol' || c.energyCarrier === 'diesel')) {
        for (const date of daysOf(year)) {
          const litres = vehicleDayTotals(car, date, 20190101).fuelUsedL;
          kg += car.energyCarrier === 'petrol' ? litres * 2.32 * (1 - bio.petrol) : litres * 2.66 * (1 - bio.diesel);
        }
      }
      return kg;
    };
    const fossil = ttw(2019, { petrol: 0, diesel: 0 }) / ttw(2018, { petrol: 0, diesel: 0 }) - 1;
    const blended = ttw(2019, { petrol: 0.04, diesel: 0.12 }) / ttw(2018, { petrol: 0.04, diesel: 0.1 }) - 1;
    expect(fossil).toBeGreaterThan(-0.28);
    expect(fossil).toBeLessThan(-0.22);
    expect(blended).toBeLessThan(fossil);
    expect(blended).toBeGreaterThan(-0.29);
  });

  it('lets cars of every carrier drive the same distances: 30-80 km on the days they work (see rosters.ts), nothing on other days', () => {
    const perCarrier = new Map<string, number[]>();
    for (const car of cars) {
      for (const date of daysOf(2019)) {
        const km = vehicleDayTotals(car, date, 7).odometerKm;
        const off = !(car.everyDay || isWorkingDay(date)) || date < car.inServiceFrom || (car.inServiceTo !== null && date > car.inServiceTo);
        if (off ? km !== 0 : km !== 0 && (km < 30 || km > 80)) throw new Error(`${car.deviceId} drove ${km} km on ${date}`);
        if (km > 0) {
          if (!perCarrier.has(car.energyCarrier)) perCarrier.set(car.energyCarrier, []);
          perCarrier.get(car.energyCarrier)!.push(km);
        }
      }
    }
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const means = [...perCarrier.values()].map(mean);
    expect(Math.max(...means) / Math.min(...means)).toBeLessThan(1.03);
  });

  it('keeps counters as running sums of day totals, so any start date agrees', () => {
    const vehicle = demo.vehicles.find((v) => v.energyCarrier === 'electricity')!;
    const ledger = new VehicleLedger(vehicle, 1);
    const start = ledger.at('2019-03-01');
    let expected = start;
    for (let date = '2019-03-01'; date < '2019-03-11'; date = addDays(date, 1)) expected = addCounters(expected, vehicleDayTotals(vehicle, date, 1));
    expect(ledger.at('2019-03-11')).toEqual(expected);
    expect(new VehicleLedger(vehicle, 1).at('2019-03-11')).toEqual(expected);
    expect(expected.energyChargedKwh - start.energyChargedKwh).toBeCloseTo((expected.energyConsumedKwh - start.energyConsumedKwh) / 0.9, 6);
  });
});
