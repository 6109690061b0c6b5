import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { ActivityRepository } from '../activity/activity.repository';
import { addFigures, emptyFigures } from '../domain/emissions';
import { GRID_METHODS } from '../domain/factor-set';
import { FactorSetsService } from '../factor-sets/factor-sets.service';
import { EmissionFiguresService } from '../reports/emission-figures.service';
import { YearLock, YearLockRepository } from './year-lock.repository';

/**
 * Locked report years. Locking copies the year's inputs (vehicles, daily rollups, imported fuel)
 * and pins the factor set: reports of the year read that copy, so the published figures stay as
 * they are when later data or factors arrive. Recomputing is an explicit admin action that makes
 * a new revision from the live data; earlier revisions are kept, marked superseded, with the
 * totals they published.
 */
@Injectable()
export class YearLocksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly locks: YearLockRepository,
    private readonly sets: FactorSetsService,
    private readonly figures: EmissionFiguresService,
    private readonly activity: ActivityRepository,
  ) {}

  list(): Promise<YearLock[]> {
    return this.locks.list();
  }

  lock(year: number, factorSet: number | undefined, reason: string | undefined, lockedBy: string): Promise<YearLock> {
    return this.transactions.run(async (manager) => {
      await this.locks.lockYearRow(manager, year);
      const [current] = await this.locks.current([year], manager);
      if (current) throw new ConflictException(`${year} is locked already (revision ${current.revision}); recompute it to make a new revision`);
      return this.newRevision(manager, year, factorSet, reason, lockedBy);
    });
  }

  recompute(year: number, factorSet: number | undefined, reason: string | undefined, lockedBy: string): Promise<YearLock> {
    return this.transactions.run(async (manager) => {
      await this.locks.lockYearRow(manager, year);
      const [current] = await this.locks.current([year], manager);
      if (!current) throw new NotFoundException(`${year} is not locked`);
      await this.locks.supersede(manager, year);
      return this.newRevision(manager, year, factorSet, reason, lockedBy);
    });
  }

  private async newRevision(manager: EntityManager, year: number, factorSet: number | undefined, reason: string | undefined, lockedBy: string): Promise<YearLock> {
    const set = await this.sets.resolve(factorSet);
    const revision = await this.locks.nextRevision(manager, year);
    await this.locks.create(manager, { year, revision, factorSetVersion: set.version, lockedBy, reason: reason ?? null }, this.config.reportTimeZone);
    const source = { kind: 'locked' as const, year, revision };
    await this.activity.storeLockedMonths(manager, year, revision, await this.activity.dailyMonths(source, `${year}-01-01`, `${year + 1}-01-01`, this.config.reportTimeZone, manager));
    // The totals as published by this revision, read back from the copy just made.
    const published: Record<string, unknown> = { factorSetVersion: set.version };
    for (const gridMethod of GRID_METHODS) {
      const period = await this.figures.period({ from: `${year}-01-01`, to: `${year + 1}-01-01`, vehicleClass: null, gridMethod }, manager);
      const total = period.items.reduce((sum, item) => addFigures(sum, item.figures), emptyFigures());
      published[gridMethod] = {
        distanceKm: total.distanceKm,
        ttwKg: total.ttwKg,
        wtwKg: total.wtwKg,
        baselineTtwKg: total.baselineTtwKg,
        baselineWtwKg: total.baselineWtwKg,
        biogenicMemoKg: total.biogenicMemoKg,
      };
    }
    await this.locks.setPublished(manager, year, revision, published);
    const [lock] = await this.locks.current([year], manager);
    return lock;
  }
}
