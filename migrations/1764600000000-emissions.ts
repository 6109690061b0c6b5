import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Emission accounting: versioned, immutable factor sets (with the default Norwegian set as
 * version 1), per-vehicle settings the figures need, imported fuel-card transactions, and locked
 * report years with their frozen inputs.
 */
export class Emissions1764600000000 implements MigrationInterface {
  name = 'Emissions1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const carriers = `('petrol', 'diesel', 'hvo', 'biogas', 'cng', 'electricity', 'hydrogen')`;
    await queryRunner.query(`
      CREATE TABLE emission_factor_sets (
        version integer PRIMARY KEY,
        name text NOT NULL,
        description text,
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by text,
        CONSTRAINT emission_factor_sets_version_check CHECK (version >= 1)
      )`);
    await queryRunner.query(`
      CREATE TABLE emission_factors (
        factor_set_version integer NOT NULL REFERENCES emission_factor_sets (version) ON DELETE CASCADE,
        carrier text NOT NULL CHECK (carrier IN ${carriers}),
        year integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
        grid_method text CHECK (grid_method IN ('location', 'market')),
        ttw_kg_per_unit double precision NOT NULL CHECK (ttw_kg_per_unit >= 0),
        wtt_kg_per_unit double precision CHECK (wtt_kg_per_unit >= 0),
        biogenic_kg_per_unit double precision NOT NULL CHECK (biogenic_kg_per_unit >= 0),
        energy_kwh_per_unit double precision CHECK (energy_kwh_per_unit > 0),
        source text NOT NULL,
        note text,
        CONSTRAINT emission_factors_grid_method_for_electricity CHECK ((carrier = 'electricity') = (grid_method IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX emission_factors_key ON emission_factors (factor_set_version, carrier, year, coalesce(grid_method, ''))`);
    await queryRunner.query(`
      CREATE TABLE emission_class_consumption (
        factor_set_version integer NOT NULL REFERENCES emission_factor_sets (version) ON DELETE CASCADE,
        vehicle_class text NOT NULL CHECK (vehicle_class IN ('passenger_car', 'van', 'truck', 'other')),
        carrier text NOT NULL CHECK (carrier IN ${carriers}),
        per_km double precision NOT NULL CHECK (per_km > 0),
        reference boolean NOT NULL,
        source text NOT NULL,
        note text,
        PRIMARY KEY (factor_set_version, vehicle_class, carrier)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX emission_class_consumption_reference_key ON emission_class_consumption (factor_set_version, vehicle_class) WHERE reference`);
    // Never edited in place (reports-v1): the database refuses, whoever asks.
    await queryRunner.query(`
      CREATE FUNCTION emission_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is never edited in place: publish a new version', TG_TABLE_NAME USING ERRCODE = 'check_violation';
      END $$`);
    for (const table of ['emission_factor_sets', 'emission_factors', 'emission_class_consumption']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION emission_refuse_change()`);
    }

    // Vehicle settings of reports-v1 that the registry did not have.
    await queryRunner.query(`
      ALTER TABLE vehicles
        ADD COLUMN charging_efficiency numeric,
        ADD COLUMN reference_carrier text,
        ADD COLUMN reference_consumption_per_km numeric,
        ADD CONSTRAINT vehicles_charging_efficiency_check CHECK (charging_efficiency IS NULL OR (charging_efficiency > 0 AND charging_efficiency <= 1)),
        ADD CONSTRAINT vehicles_reference_carrier_check CHECK (reference_carrier IS NULL OR reference_carrier IN ${carriers}),
        ADD CONSTRAINT vehicles_reference_check CHECK ((reference_carrier IS NULL) = (reference_consumption_per_km IS NULL) AND (reference_consumption_per_km IS NULL OR reference_consumption_per_km > 0))`);

    await queryRunner.query(`
      CREATE TABLE fuel_transactions (
        transaction_id text PRIMARY KEY,
        vehicle_id uuid NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
        occurred_at timestamptz NOT NULL,
        product text NOT NULL,
        carrier text NOT NULL CHECK (carrier IN ${carriers}),
        quantity double precision NOT NULL CHECK (quantity > 0),
        unit text NOT NULL CHECK (unit IN ('L', 'kg', 'kWh')),
        imported_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX fuel_transactions_vehicle_idx ON fuel_transactions (vehicle_id, occurred_at)`);
    await queryRunner.query(`CREATE INDEX fuel_transactions_occurred_idx ON fuel_transactions (occurred_at)`);

    await queryRunner.query(`
      CREATE TABLE emission_year_locks (
        year integer NOT NULL,
        revision integer NOT NULL CHECK (revision >= 1),
        factor_set_version integer NOT NULL REFERENCES emission_factor_sets (version),
        locked_at timestamptz NOT NULL DEFAULT now(),
        locked_by text,
        reason text,
        superseded_at timestamptz,
        published jsonb NOT NULL,
        PRIMARY KEY (year, revision)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX emission_year_locks_current_key ON emission_year_locks (year) WHERE superseded_at IS NULL`);
    // The inputs of a locked year as they were when it was locked: the vehicles (registry fields the
    // figures use), their daily rollups and the imported fuel. Reports of the year read these.
    await queryRunner.query(`
      CREATE TABLE emission_locked_vehicles (
        year integer NOT NULL,
        revision integer NOT NULL,
        id uuid NOT NULL,
        registration text NOT NULL,
        vehicle_class text NOT NULL,
        energy_carrier text NOT NULL,
        department_id uuid NOT NULL,
        in_service_from date NOT NULL,
        in_service_to date,
        nominal_consumption_per_km numeric,
        charging_efficiency numeric,
        reference_carrier text,
        reference_consumption_per_km numeric,
        PRIMARY KEY (year, revision, id),
        FOREIGN KEY (year, revision) REFERENCES emission_year_locks (year, revision) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE emission_locked_daily (
        year integer NOT NULL,
        revision integer NOT NULL,
        vehicle_id uuid NOT NULL,
        day date NOT NULL,
        distance_km double precision,
        fuel_used_l double precision,
        gas_used_kg double precision,
        energy_charged_kwh double precision,
        energy_consumed_kwh double precision,
        PRIMARY KEY (year, revision, vehicle_id, day),
        FOREIGN KEY (year, revision) REFERENCES emission_year_locks (year, revision) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE emission_locked_fuel (
        year integer NOT NULL,
        revision integer NOT NULL,
        transaction_id text NOT NULL,
        vehicle_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        carrier text NOT NULL,
        quantity double precision NOT NULL,
        PRIMARY KEY (year, revision, transaction_id),
        FOREIGN KEY (year, revision) REFERENCES emission_year_locks (year, revision) ON DELETE CASCADE
      )`);
    for (const table of ['emission_locked_vehicles', 'emission_locked_daily', 'emission_locked_fuel']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION emission_refuse_change()`);
    }

    // The frozen activity of a locked year per vehicle and month (service dates applied), for reports of whole months.
    await queryRunner.query(`
      CREATE TABLE emission_locked_months (
        year integer NOT NULL,
        revision integer NOT NULL,
        vehicle_id uuid NOT NULL,
        month date NOT NULL,
        activity jsonb NOT NULL,
        PRIMARY KEY (year, revision, vehicle_id, month),
        FOREIGN KEY (year, revision) REFERENCES emission_year_locks (year, revision) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE TRIGGER emission_locked_months_immutable BEFORE UPDATE OR DELETE ON emission_locked_months FOR EACH ROW EXECUTE FUNCTION emission_refuse_change()`);

    // Monthly sums of vehicle_daily per vehicle (all days of the month, service dates applied when
    // read), so that a year's report reads ~12 rows per vehicle instead of ~365. Kept current
    // lazily: statement-level triggers on vehicle_daily note which vehicle-months changed (one
    // small insert per derivation statement, no change to the derivation SQL); reports re-sum
    // those months before reading. Owned and documented by src/emissions/activity (README.md).
    await queryRunner.query(`
      CREATE TABLE emission_vehicle_months (
        vehicle_id uuid NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
        month date NOT NULL,
        distance_km double precision NOT NULL,
        fuel_l double precision NOT NULL,
        fuel_days integer NOT NULL,
        distance_without_fuel_km double precision NOT NULL,
        gas_kg double precision NOT NULL,
        gas_days integer NOT NULL,
        distance_without_gas_km double precision NOT NULL,
        charged_kwh double precision NOT NULL,
        charged_days integer NOT NULL,
        consumed_without_charged_kwh double precision NOT NULL,
        distance_without_electric_km double precision NOT NULL,
        PRIMARY KEY (vehicle_id, month)
      )`);
    await queryRunner.query(`CREATE INDEX emission_vehicle_months_month_idx ON emission_vehicle_months (month)`);
    await queryRunner.query(`
      CREATE TABLE emission_month_dirty (
        vehicle_id uuid NOT NULL,
        month date NOT NULL,
        PRIMARY KEY (vehicle_id, month)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION emission_mark_months_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO emission_month_dirty (vehicle_id, month)
        SELECT DISTINCT vehicle_id, date_trunc('month', day)::date FROM changed
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    // One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
    await queryRunner.query(
      `CREATE TRIGGER vehicle_daily_emission_insert AFTER INSERT ON vehicle_daily REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION emission_mark_months_dirty()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER vehicle_daily_emission_update AFTER UPDATE ON vehicle_daily REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION emission_mark_months_dirty()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER vehicle_daily_emission_delete AFTER DELETE ON vehicle_daily REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION emission_mark_months_dirty()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION emission_forget_months() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM emission_vehicle_months;
        DELETE FROM emission_month_dirty;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER vehicle_daily_emission_truncate AFTER TRUNCATE ON vehicle_daily FOR EACH STATEMENT EXECUTE FUNCTION emission_forget_months()`);
    // Rollups that exist already are summed by the first report.
    await queryRunner.query(`INSERT INTO emission_month_dirty (vehicle_id, month) SELECT DISTINCT vehicle_id, date_trunc('month', day)::date FROM vehicle_daily`);

    await this.installDefaultSet(queryRunner);
  }

  /**
   * Version 1: the defaults of shared/reference/emission-factors.md. Pump fuel is a blend, per
   * litre: ttw = fossil factor x (1 - bio share), biogenic = bio factor x bio share. CH4 and N2O
   * (+0.5-1.5 % on fossil fuels) are NOT folded in: the figures are the cited CO2 figures as
   * published, so they can be checked against the source (a set that folds them in can be published).
   * Every [U] figure of the reference page carries a note.
   */
  private async installDefaultSet(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO emission_factor_sets (version, name, description, published_by) VALUES (1, $1, $2, 'migration 1764600000000')`, [
      'Norwegian defaults',
      'Defaults of shared/reference/emission-factors.md: Miljødirektoratet conversion tables (NIR 2021), EN 16258 WTT, NVE and residual-mix grid factors. CO2 only: CH4 and N2O (+0.5-1.5 %) not folded in.',
    ]);
    const MDIR = 'Miljødirektoratet, conversion tables for greenhouse gas accounting (NIR 2021)';
    const rows: unknown[][] = [];
    const fuel = (
      carrier: string,
      year: number,
      fossil: number,
      bio: number,
      share: number,
      shareNote: string | null,
      wtt: number,
      kwh: number,
      fossilName: string,
      bioName: string,
      wttName: string,
    ) =>
      rows.push([
        carrier,
        year,
        null,
        fossil * (1 - share),
        wtt,
        bio * share,
        kwh,
        `${MDIR}: ${fossilName} ${fossil} kg CO2/L x (1 - bio share ${share}), ${bioName} ${bio} kg/L x ${share}; WTT ${wtt} kg/L derived from EN 16258 ${wttName}; ${kwh} kWh/L`,
        shareNote,
      ]);
    const petrolShares: Array<[number, number, string | null]> = [
      [2018, 0.04, '[U] bio share 0.04: petrol sub-quota minimum, not the share sold'],
      [2019, 0.04, '[U] bio share 0.04: petrol sub-quota minimum, not the share sold'],
      [2020, 0.08, null],
    ];
    const dieselShares: Array<[number, number, string | null]> = [
      [2018, 0.1, '[U] bio share 0.10: overall quota 10 %, not the share sold'],
      [2019, 0.12, '[U] bio share 0.12: overall road quota 12 % by volume (advanced biofuel counted double)'],
      [2020, 0.15, null],
    ];
    for (const [year, share, note] of petrolShares) fuel('petrol', year, 2.32, 1.51, share, note, 0.53, 9.02, 'petrol', 'bioethanol', 'petrol E10 (2.90/3.62 kg CO2e/kg x 0.74 kg/L)');
    for (const [year, share, note] of dieselShares) fuel('diesel', year, 2.66, 2.51, share, note, 0.66, 10.06, 'diesel', 'biodiesel', 'diesel B7 (2.97/3.76 kg CO2e/kg x 0.84 kg/L)');
    for (const year of [2018, 2019, 2020]) {
      rows.push(['cng', year, null, 2.69, null, 0, 13.3, `${MDIR}: natural gas 2.69 kg CO2/kg, 13.3 kWh/kg`, 'no well-to-tank figure in the reference: wtw counts ttw only (flagged)']);
      rows.push([
        'biogas',
        year,
        null,
        0.01,
        null,
        2.75,
        13.3,
        `${MDIR}: biogas ~0.01 kg CO2e/kg (CH4 + N2O only), biogenic ~2.75 kg/kg`,
        '[U] biogenic 2.75 kg/kg: two tables disagree; energy content taken as natural gas 13.3 kWh/kg; no well-to-tank figure',
      ]);
      rows.push(['hvo', year, null, 0, null, 2.5, null, `${MDIR}: HVO100 fossil 0 kg/L, biogenic ~2.5 kg/L`, '[U] biogenic 2.5 kg/L; no well-to-tank figure and no energy content in the reference']);
    }
    const NVE = 'NVE, electricity disclosure: physical mix delivered in Norway (location-based)';
    const RESIDUAL = 'NVE residual mix without guarantees of origin (market-based)';
    for (const [year, factor] of [
      [2019, 0.017],
      [2020, 0.008],
      [2022, 0.019],
    ])
      rows.push(['electricity', year, 'location', 0, factor, 0, 1, `${NVE}: ${factor} kg CO2e/kWh`, null]);
    for (const [year, factor] of [
      [2016, 0.53],
      [2020, 0.402],
    ])
      rows.push(['electricity', year, 'market', 0, factor, 0, 1, `${RESIDUAL}: ${factor} kg CO2e/kWh`, null]);
    for (const row of rows) {
      await queryRunner.query(
        `INSERT INTO emission_factors (factor_set_version, carrier, year, grid_method, ttw_kg_per_unit, wtt_kg_per_unit, biogenic_kg_per_unit, energy_kwh_per_unit, source, note)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        row,
      );
    }
    const consumption: unknown[][] = [
      ['passenger_car', 'petrol', 0.076, true, 'Derived: DEFRA 2018 average petrol car 0.176 kg CO2/km / 2.32 kg CO2/L', null],
      ['passenger_car', 'electricity', 0.18, false, 'Norwegian tests: 0.12-0.24 kWh/km observed', null],
      ['van', 'diesel', 0.09, true, 'Reference page (unconfirmed)', '[U] 0.09 L/km'],
      ['van', 'electricity', 0.22, false, 'Reference page (unconfirmed)', '[U] 0.22 kWh/km'],
      ['truck', 'diesel', 0.36, true, 'Derived: Euro 6 diesel truck >= 20 t, 0.97 kg CO2/km / 2.66 kg CO2/L', null],
      ['truck', 'biogas', 0.33, false, 'Reference page (unconfirmed)', '[U] 0.33 kg/km'],
    ];
    for (const row of consumption) {
      await queryRunner.query(`INSERT INTO emission_class_consumption (factor_set_version, vehicle_class, carrier, per_km, reference, source, note) VALUES (1, $1, $2, $3, $4, $5, $6)`, row);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const event of ['insert', 'update', 'delete', 'truncate']) await queryRunner.query(`DROP TRIGGER vehicle_daily_emission_${event} ON vehicle_daily`);
    await queryRunner.query(`DROP FUNCTION emission_mark_months_dirty()`);
    await queryRunner.query(`DROP FUNCTION emission_forget_months()`);
    await queryRunner.query(`DROP TABLE emission_month_dirty`);
    await queryRunner.query(`DROP TABLE emission_vehicle_months`);
    await queryRunner.query(`DROP TABLE emission_locked_months`);
    await queryRunner.query(`DROP TABLE emission_locked_fuel`);
    await queryRunner.query(`DROP TABLE emission_locked_daily`);
    await queryRunner.query(`DROP TABLE emission_locked_vehicles`);
    await queryRunner.query(`DROP TABLE emission_year_locks`);
    await queryRunner.query(`DROP TABLE fuel_transactions`);
    await queryRunner.query(`
      ALTER TABLE vehicles DROP COLUMN charging_efficiency, DROP COLUMN reference_carrier, DROP COLUMN reference_consumption_per_km`);
    await queryRunner.query(`DROP TABLE emission_class_consumption`);
    await queryRunner.query(`DROP TABLE emission_factors`);
    await queryRunner.query(`DROP TABLE emission_factor_sets`);
    await queryRunner.query(`DROP FUNCTION emission_refuse_change()`);
  }
}
