import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { dayStart } from '../../platform/time/service-time';
import { ActivityRepository, ActivitySource, CounterGapRow, ServiceProfile } from '../activity/activity.repository';
import { Figures, figuresOf } from '../domain/emissions';
import { collapseToYears } from '../domain/energy';
import { FactorSet, GridMethod, VehicleClass } from '../domain/factor-set';
import { FactorSetsService } from '../factor-sets/factor-sets.service';
import { YearLock, YearLockRepository } from '../locks/year-lock.repository';

export interface VehicleMonthFigures {
  vehicle: ServiceProfile;
  /** YYYY-MM, or YYYY for a vehicle's months summed into its year. */
  month: string;
  figures: Figures;
}

export interface LockedYearUsed {
  year: number;
  revision: number;
  factorSetVersion: number;
  lockedAt: string;
}

export interface PeriodFigures {
  /** The set used for the years that are not locked. */
  factorSet: FactorSet;
  lockedYears: LockedYearUsed[];
  items: VehicleMonthFigures[];
  /** Vehicles in service in the period, by id (as locked, for locked years). */
  vehicles: Map<string, ServiceProfile>;
  /** Counter intervals longer than MAX_COUNTER_GAP reaching into the period (also in `flags`). */
  counterGaps: LongGap[];
  flags: string[];
}

/** A counter interval over MAX_COUNTER_GAP used by a report (amendment 1.1: vehicle, from, to, km). */
export interface LongGap {
  vehicleId: string;
  registration: string;
  counter: CounterGapRow['counter'];
  from: string;
  to: string;
  /** What the interval spread over its days, in the counter's unit (km for the odometer). */
  quantity: number;
  /** The part of it spread over the report's period (in proportion to time). */
  quantityInPeriod: number;
  unit: string;
  /** The same, as a flag. */
  flag: string;
}

const COUNTER_UNIT: Record<CounterGapRow['counter'], string> = { odometer: 'km', fuel: 'L', gas: 'kg', charged: 'kWh', consumed: 'kWh' };

export interface PeriodQuery {
  from: string;
  to: string;
  vehicleClass: VehicleClass | null;
  gridMethod: GridMethod;
  factorSet?: number;
  /** Read live data even for locked years (used when locking a year). */
  ignoreLocks?: boolean;
  /** The monthly sums were brought up to date just before (a report of several periods refreshes once). */
  refreshed?: boolean;
  /** Figures per vehicle and month; otherwise per vehicle and year where that is exact (see collapseToYears). */
  byMonth?: boolean;
}

/**
 * The figures of every vehicle and month of a period. The period is cut at year ends: a locked
 * year is read from its frozen inputs with the factor set it was locked with (its published
 * figures do not move when later data or factors arrive); other years from the live rollups with
 * the requested set (default: the newest).
 */
@Injectable()
export class EmissionFiguresService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly activity: ActivityRepository,
    private readonly sets: FactorSetsService,
    private readonly locks: YearLockRepository,
  ) {}

  /** Brings the monthly sums up to date once for reports that read several periods. */
  refresh(): Promise<void> {
    return this.activity.refreshMonths();
  }

  async period(query: PeriodQuery, manager?: EntityManager): Promise<PeriodFigures> {
    const factorSet = await this.sets.resolve(query.factorSet);
    const segments = yearSegments(query.from, query.to);
    const locks = query.ignoreLocks
      ? []
      : await this.locks.current(
          segments.map((s) => s.year),
          manager,
        );
    const lockOf = new Map<number, YearLock>(locks.map((lock) => [lock.year, lock]));
    const timeZone = this.config.reportTimeZone;
    const parts = await Promise.all(
      segments.map(async (segment) => {
        const lock = lockOf.get(segment.year);
        const source: ActivitySource = lock ? { kind: 'locked', year: lock.year, revision: lock.revision } : { kind: 'live' };
        const set = lock ? await this.sets.get(lock.factorSetVersion) : factorSet;
        const profilesQuery = this.activity.profiles(source, segment.from, segment.to, query.vehicleClass, timeZone, manager);
        const [profiles, months] = await Promise.all([
          profilesQuery,
          this.activity.months(source, segment.from, segment.to, query.vehicleClass, timeZone, profilesQuery, manager, query.refreshed, query.byMonth ?? false),
        ]);
        return { lock, set, profiles, months };
      }),
    );
    const items: VehicleMonthFigures[] = [];
    const vehicles = new Map<string, ServiceProfile>();
    const flags: string[] = [];
    for (const { set, profiles, months } of parts) {
      const byId = new Map(profiles.map((profile) => [profile.vehicleId, profile]));
      const active = new Set<string>();
      for (const { vehicleId, activity } of query.byMonth ? months : collapseToYears(months)) {
        const vehicle = byId.get(vehicleId)!;
        active.add(vehicleId);
        items.push({ vehicle, month: activity.month, figures: figuresOf(vehicle, activity, set, query.gridMethod) });
      }
      for (const profile of profiles) vehicles.set(profile.vehicleId, profile);
      const silent = profiles.filter((profile) => !active.has(profile.vehicleId)).map((profile) => profile.registration);
      if (silent.length > 0) flags.push(`in service without any data in the period (counted as 0): ${silent.sort().join(', ')}`);
    }
    const counterGaps = await this.counterGaps(vehicles, query.from, query.to, manager);
    flags.push(...counterGaps.map((gap) => gap.flag));
    const lockedYears = parts
      .filter((part) => part.lock)
      .map(({ lock }) => ({ year: lock!.year, revision: lock!.revision, factorSetVersion: lock!.factorSetVersion, lockedAt: new Date(lock!.lockedAt).toISOString() }));
    return { factorSet, lockedYears, items, vehicles, counterGaps, flags };
  }

  private async counterGaps(vehicles: Map<string, ServiceProfile>, from: string, to: string, manager?: EntityManager): Promise<LongGap[]> {
    const timeZone = this.config.reportTimeZone;
    const rows = await this.activity.gaps([...vehicles.keys()], from, to, timeZone, manager);
    const start = dayStart(from, timeZone).getTime();
    const end = dayStart(to, timeZone).getTime();
    const maxGapDays = this.config.worker.maxCounterGapMs / 86_400_000;
    return rows.map((row) => {
      const t0 = new Date(row.from).getTime();
      const t1 = new Date(row.to).getTime();
      const quantity = Number(row.counted);
      const quantityInPeriod = (quantity * Math.max(0, Math.min(t1, end) - Math.max(t0, start))) / (t1 - t0);
      const registration = vehicles.get(row.vehicleId)!.registration;
      const unit = COUNTER_UNIT[row.counter];
      const fromIso = new Date(t0).toISOString();
      const toIso = new Date(t1).toISOString();
      const what = row.kind === 'ok' ? `${round(quantity)} ${unit}, ${round(quantityInPeriod)} ${unit} of it in the period, counted as modelled` : `its ${row.kind} delta counted as 0`;
      const flag = `${registration}: ${row.counter} interval over MAX_COUNTER_GAP (${maxGapDays} days) from ${fromIso} to ${toIso}: ${what}`;
      return { vehicleId: row.vehicleId, registration, counter: row.counter, from: fromIso, to: toIso, quantity, quantityInPeriod, unit, flag };
    });
  }
}

/** [from, to) cut at year ends, e.g. 2019-06-01..2021-01-01 -> 2019-06-01..2020-01-01, 2020-01-01..2021-01-01. */
export function yearSegments(from: string, to: string): Array<{ year: number; from: string; to: string }> {
  const segments: Array<{ year: number; from: string; to: string }> = [];
  let start = from;
  while (start < to) {
    const year = Number(start.slice(0, 4));
    const next = `${year + 1}-01-01`;
    const end = next < to ? next : to;
    segments.push({ year, from: start, to: end });
    start = end;
  }
  return segments;
}

/** For flags only; figures keep full precision. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}
