import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Climate budget ("klimabudsjett") and electrification plan (issue 19). Budget sets are versioned
 * like factor sets: a set (its budgets and targets) is published whole and never edited; reports
 * read the newest set unless asked for another. Depots, the candidate EV catalogue and replacement
 * plans are inputs of the electrification plan.
 */
export class ClimateBudget1767400000000 implements MigrationInterface {
  name = 'ClimateBudget1767400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE climate_budget_sets (
        version integer PRIMARY KEY,
        name text NOT NULL,
        description text,
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by text
      )`);
    // scope_key: '' for the whole fleet, the department id, or the vehicle class.
    await queryRunner.query(`
      CREATE TABLE climate_budgets (
        set_version integer NOT NULL REFERENCES climate_budget_sets (version) ON DELETE RESTRICT,
        scope_kind text NOT NULL CHECK (scope_kind IN ('fleet', 'department', 'vehicleClass')),
        scope_key text NOT NULL,
        from_year integer NOT NULL,
        to_year integer NOT NULL,
        boundary text NOT NULL CHECK (boundary IN ('ttw', 'wtw')),
        annual_kg double precision NOT NULL CHECK (annual_kg >= 0),
        CHECK (to_year >= from_year)
      )`);
    await queryRunner.query(`CREATE INDEX climate_budgets_set_idx ON climate_budgets (set_version, scope_kind, scope_key)`);
    await queryRunner.query(`
      CREATE TABLE climate_targets (
        set_version integer NOT NULL REFERENCES climate_budget_sets (version) ON DELETE RESTRICT,
        position integer NOT NULL,
        name text NOT NULL,
        scope_kind text NOT NULL CHECK (scope_kind IN ('fleet', 'department', 'vehicleClass')),
        scope_key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('change', 'zeroEmissionShare', 'absolute')),
        year integer NOT NULL,
        boundary text NOT NULL CHECK (boundary IN ('ttw', 'wtw')),
        base_year integer,
        change_pct double precision,
        share_basis text CHECK (share_basis IN ('vehicles', 'distance')),
        share_pct double precision,
        max_kg double precision,
        PRIMARY KEY (set_version, position)
      )`);
    // Never edited in place, like factor sets: a change is a new published version.
    for (const table of ['climate_budget_sets', 'climate_budgets', 'climate_targets']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION emission_refuse_change()`);
    }
    await queryRunner.query(`
      CREATE TABLE depots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
        name text NOT NULL,
        lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        radius_m double precision NOT NULL CHECK (radius_m > 0),
        charger_kw double precision NOT NULL CHECK (charger_kw > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX depots_organization_idx ON depots (organization_id)`);
    await queryRunner.query(`
      CREATE TABLE ev_candidates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vehicle_class text NOT NULL CHECK (vehicle_class IN ('passenger_car', 'van', 'truck', 'other')),
        name text NOT NULL,
        wltp_range_km double precision NOT NULL CHECK (wltp_range_km > 0),
        kwh_per_km double precision NOT NULL CHECK (kwh_per_km > 0),
        price_nok double precision CHECK (price_nok >= 0),
        note text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Generic examples, not market data: round figures of the order of today's models.
    await queryRunner.query(`
      INSERT INTO ev_candidates (vehicle_class, name, wltp_range_km, kwh_per_km, price_nok, note) VALUES
        ('passenger_car', 'Example compact EV', 300, 0.18, 350000, 'generic example, not market data'),
        ('passenger_car', 'Example long-range EV', 500, 0.20, 500000, 'generic example, not market data'),
        ('van', 'Example electric van', 250, 0.28, 550000, 'generic example, not market data'),
        ('truck', 'Example electric truck', 200, 1.20, 3000000, 'generic example, not market data')`);
    await queryRunner.query(`
      CREATE TABLE electrification_plans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE electrification_plan_items (
        plan_id uuid NOT NULL REFERENCES electrification_plans (id) ON DELETE CASCADE,
        vehicle_id uuid NOT NULL REFERENCES vehicles (id) ON DELETE RESTRICT,
        replace_month date NOT NULL CHECK (extract(day FROM replace_month) = 1),
        candidate_id uuid NOT NULL REFERENCES ev_candidates (id) ON DELETE RESTRICT,
        PRIMARY KEY (plan_id, vehicle_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE electrification_plan_items`);
    await queryRunner.query(`DROP TABLE electrification_plans`);
    await queryRunner.query(`DROP TABLE ev_candidates`);
    await queryRunner.query(`DROP TABLE depots`);
    // The immutability triggers refuse DELETE, not DROP.
    await queryRunner.query(`DROP TABLE climate_targets`);
    await queryRunner.query(`DROP TABLE climate_budgets`);
    await queryRunner.query(`DROP TABLE climate_budget_sets`);
  }
}
