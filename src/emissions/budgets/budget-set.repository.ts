import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Boundary } from '../domain/factor-set';
import { PublishedSetRepository } from '../published-sets';
import { ShareBasis, TargetKind } from './budget-set.dto';
import { columnArrays } from '../../platform/database/unnest';

export interface Budget {
  scope: string;
  fromYear: number;
  toYear: number;
  boundary: Boundary;
  annualKg: number;
}

export interface Target {
  name: string;
  scope: string;
  kind: TargetKind;
  year: number;
  boundary: Boundary;
  baseYear: number | null;
  changePct: number | null;
  shareBasis: ShareBasis | null;
  sharePct: number | null;
  maxKg: number | null;
}

export interface BudgetSet {
  version: number;
  name: string;
  description: string | null;
  publishedAt: string;
  publishedBy: string | null;
  budgets: Budget[];
  targets: Target[];
}

/** A scope as stored: kind and key ('' for the fleet). */
export interface ScopeColumns {
  scopeKind: string;
  scopeKey: string;
}

const SCOPE_SQL = `CASE WHEN scope_kind = 'fleet' THEN 'fleet' ELSE scope_kind || ':' || scope_key END`;

@Injectable()
export class BudgetSetRepository extends PublishedSetRepository<BudgetSet> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource, 'climate_budget_sets');
  }

  list(): Promise<Array<Omit<BudgetSet, 'budgets' | 'targets'> & { budgetCount: number; targetCount: number }>> {
    return this.listHeaders('set_version', { budgetCount: 'climate_budgets', targetCount: 'climate_targets' });
  }

  async find(version: number): Promise<BudgetSet | null> {
    const [set] = await this.dataSource.query(`SELECT version, name, description, published_at AS "publishedAt", published_by AS "publishedBy" FROM climate_budget_sets WHERE version = $1`, [version]);
    if (!set) return null;
    const budgets: Budget[] = await this.dataSource.query(
      `SELECT ${SCOPE_SQL} AS scope, from_year AS "fromYear", to_year AS "toYear", boundary, annual_kg AS "annualKg"
         FROM climate_budgets WHERE set_version = $1 ORDER BY scope_kind, scope_key, from_year`,
      [version],
    );
    const targets: Target[] = await this.dataSource.query(
      `SELECT name, ${SCOPE_SQL} AS scope, kind, year, boundary, base_year AS "baseYear", change_pct AS "changePct",
              share_basis AS "shareBasis", share_pct AS "sharePct", max_kg AS "maxKg"
         FROM climate_targets WHERE set_version = $1 ORDER BY position`,
      [version],
    );
    return { ...set, publishedAt: new Date(set.publishedAt).toISOString(), budgets, targets };
  }

  async existingDepartments(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM organizations WHERE id = ANY($1::uuid[]) AND kind = 'municipal_department'`, [ids]);
    return new Set(rows.map((row) => row.id));
  }

  /** Inserts a set under the next version number. */
  async insert(
    manager: EntityManager,
    set: { name: string; description: string | null; budgets: Array<Budget & ScopeColumns>; targets: Array<Target & ScopeColumns> },
    publishedBy: string,
  ): Promise<number> {
    const version = await this.insertHeader(manager, set, publishedBy);
    await manager.query(
      `INSERT INTO climate_budgets (set_version, scope_kind, scope_key, from_year, to_year, boundary, annual_kg)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::float8[])`,
      [version, ...columnArrays(set.budgets, ['scopeKind', 'scopeKey', 'fromYear', 'toYear', 'boundary', 'annualKg'])],
    );
    await manager.query(
      `INSERT INTO climate_targets (set_version, position, name, scope_kind, scope_key, kind, year, boundary, base_year, change_pct, share_basis, share_pct, max_kg)
       SELECT $1, o - 1, name, sk, sc, kind, year, boundary, base_year, change_pct, share_basis, share_pct, max_kg
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::int[], $9::float8[], $10::text[], $11::float8[], $12::float8[])
              WITH ORDINALITY AS u(name, sk, sc, kind, year, boundary, base_year, change_pct, share_basis, share_pct, max_kg, o)`,
      [version, ...columnArrays(set.targets, ['name', 'scopeKind', 'scopeKey', 'kind', 'year', 'boundary', 'baseYear', 'changePct', 'shareBasis', 'sharePct', 'maxKg'])],
    );
    return version;
  }
}
