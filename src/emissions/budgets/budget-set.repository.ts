import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Boundary } from '../domain/factor-set';
import { ShareBasis, TargetKind } from './budget-set.dto';

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
export class BudgetSetRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<Array<Omit<BudgetSet, 'budgets' | 'targets'> & { budgetCount: number; targetCount: number }>> {
    return this.dataSource.query(
      `SELECT s.version, s.name, s.description, s.published_at AS "publishedAt", s.published_by AS "publishedBy",
              (SELECT count(*)::int FROM climate_budgets b WHERE b.set_version = s.version) AS "budgetCount",
              (SELECT count(*)::int FROM climate_targets t WHERE t.set_version = s.version) AS "targetCount"
         FROM climate_budget_sets s ORDER BY s.version`,
    );
  }

  async latestVersion(): Promise<number | null> {
    const [row] = await this.dataSource.query(`SELECT max(version) AS version FROM climate_budget_sets`);
    return row.version ?? null;
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

  /** Inserts a set under the next version number; versions are handed out one publisher at a time. */
  async insert(
    manager: EntityManager,
    set: { name: string; description: string | null; budgets: Array<Budget & ScopeColumns>; targets: Array<Target & ScopeColumns> },
    publishedBy: string,
  ): Promise<number> {
    await manager.query(`LOCK TABLE climate_budget_sets IN SHARE ROW EXCLUSIVE MODE`);
    const [{ version }] = await manager.query(
      `INSERT INTO climate_budget_sets (version, name, description, published_by)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3 FROM climate_budget_sets RETURNING version`,
      [set.name, set.description, publishedBy],
    );
    const b = set.budgets;
    await manager.query(
      `INSERT INTO climate_budgets (set_version, scope_kind, scope_key, from_year, to_year, boundary, annual_kg)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::float8[])`,
      [version, b.map((r) => r.scopeKind), b.map((r) => r.scopeKey), b.map((r) => r.fromYear), b.map((r) => r.toYear), b.map((r) => r.boundary), b.map((r) => r.annualKg)],
    );
    const t = set.targets;
    await manager.query(
      `INSERT INTO climate_targets (set_version, position, name, scope_kind, scope_key, kind, year, boundary, base_year, change_pct, share_basis, share_pct, max_kg)
       SELECT $1, o - 1, name, sk, sc, kind, year, boundary, base_year, change_pct, share_basis, share_pct, max_kg
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::int[], $9::float8[], $10::text[], $11::float8[], $12::float8[])
              WITH ORDINALITY AS u(name, sk, sc, kind, year, boundary, base_year, change_pct, share_basis, share_pct, max_kg, o)`,
      [
        version,
        t.map((r) => r.name),
        t.map((r) => r.scopeKind),
        t.map((r) => r.scopeKey),
        t.map((r) => r.kind),
        t.map((r) => r.year),
        t.map((r) => r.boundary),
        t.map((r) => r.baseYear),
        t.map((r) => r.changePct),
        t.map((r) => r.shareBasis),
        t.map((r) => r.sharePct),
        t.map((r) => r.maxKg),
      ],
    );
    return version;
  }
}
