import { ChargeTotalRow } from '../../storage/raw-batch';

interface CarTotal {
  closedSessionsKwh: number;
  sessionKwh: number;
  version: number;
}

/**
 * TeslaMate reports `charge_energy_added`, the energy of the running charging session, which
 * starts again near 0 with every session; the contract wants the car's cumulative energy from the
 * grid. The total is the sum of the finished sessions' final values plus the running session's:
 * a value below the last one starts a new session, and the last one is then added once.
 *
 * The totals live in PostgreSQL (profile_charge_totals), written in the same statement as the
 * samples that carry them, so that after a crash the broker re-delivers exactly the values the
 * stored total has not counted yet; in memory is the same state with the uncommitted values on
 * top. A re-delivered value of the running session equal to the last one changes nothing.
 */
export class ChargeTotals {
  private readonly cars = new Map<string, CarTotal>();

  /** The stored totals, at start-up. */
  load(rows: ChargeTotalRow[]): void {
    this.cars.clear();
    for (const row of rows) this.cars.set(row.vehicleId, { closedSessionsKwh: row.closedSessionsKwh, sessionKwh: row.sessionKwh, version: row.version });
  }

  /** A session value of the car: its cumulative total now, and the row that stores it. */
  add(vehicleId: string, sessionKwh: number): { totalKwh: number; row: ChargeTotalRow } {
    const car = this.cars.get(vehicleId) ?? { closedSessionsKwh: 0, sessionKwh: 0, version: 0 };
    // Rounded to Wh: sums of decimal kWh values must not drift into 12.339999.
    if (sessionKwh < car.sessionKwh) car.closedSessionsKwh = Math.round((car.closedSessionsKwh + car.sessionKwh) * 1000) / 1000;
    car.sessionKwh = sessionKwh;
    car.version += 1;
    this.cars.set(vehicleId, car);
    return {
      totalKwh: Math.round((car.closedSessionsKwh + car.sessionKwh) * 1000) / 1000,
      row: { vehicleId, closedSessionsKwh: car.closedSessionsKwh, sessionKwh: car.sessionKwh, version: car.version },
    };
  }
}
