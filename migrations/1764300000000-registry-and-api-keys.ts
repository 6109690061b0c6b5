import { MigrationInterface, QueryRunner } from 'typeorm';

/** Organizations, vehicles, subsidy grants, charge points and API keys. */
export class RegistryAndApiKeys1764300000000 implements MigrationInterface {
  name = 'RegistryAndApiKeys1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_number text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT organizations_org_number_key UNIQUE (org_number),
        CONSTRAINT organizations_org_number_check CHECK (org_number ~ '^[0-9]{9}$'),
        CONSTRAINT organizations_kind_check CHECK (kind IN ('municipal_department', 'housing_cooperative')),
        CONSTRAINT organizations_name_check CHECK (length(name) BETWEEN 1 AND 200)
      )`);
    await queryRunner.query(`
      CREATE TABLE vehicles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        registration text NOT NULL,
        vin text,
        vehicle_class text NOT NULL,
        energy_carrier text NOT NULL,
        department_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
        in_service_from date NOT NULL,
        in_service_to date,
        nominal_consumption_per_km numeric,
        replaces_vehicle_id uuid REFERENCES vehicles (id) ON DELETE SET NULL,
        device_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT vehicles_registration_key UNIQUE (registration),
        CONSTRAINT vehicles_vin_key UNIQUE (vin),
        CONSTRAINT vehicles_device_id_key UNIQUE (device_id),
        CONSTRAINT vehicles_class_check CHECK (vehicle_class IN ('passenger_car', 'van', 'truck', 'other')),
        CONSTRAINT vehicles_energy_carrier_check CHECK (energy_carrier IN
          ('electricity', 'petrol', 'diesel', 'hvo', 'biogas', 'cng', 'hydrogen', 'plugin_hybrid')),
        CONSTRAINT vehicles_service_period_check CHECK (in_service_to IS NULL OR in_service_to >= in_service_from),
        CONSTRAINT vehicles_nominal_consumption_check CHECK (nominal_consumption_per_km IS NULL OR nominal_consumption_per_km > 0),
        CONSTRAINT vehicles_replaces_check CHECK (replaces_vehicle_id IS NULL OR replaces_vehicle_id <> id)
      )`);
    await queryRunner.query(`CREATE INDEX vehicles_department_idx ON vehicles (department_id)`);
    await queryRunner.query(`
      CREATE TABLE subsidy_grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
        reference text NOT NULL,
        granted_on date NOT NULL,
        amount_nok numeric(12, 2) NOT NULL,
        charge_point_count integer NOT NULL,
        follow_up_ends_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subsidy_grants_reference_key UNIQUE (reference),
        CONSTRAINT subsidy_grants_amount_check CHECK (amount_nok >= 0),
        CONSTRAINT subsidy_grants_count_check CHECK (charge_point_count >= 1),
        CONSTRAINT subsidy_grants_follow_up_check CHECK (follow_up_ends_on >= granted_on)
      )`);
    await queryRunner.query(`CREATE INDEX subsidy_grants_organization_idx ON subsidy_grants (organization_id)`);
    await queryRunner.query(`
      CREATE TABLE charge_points (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
        subsidy_grant_id uuid REFERENCES subsidy_grants (id) ON DELETE RESTRICT,
        name text NOT NULL,
        connectors integer NOT NULL,
        max_kw numeric(7, 2) NOT NULL,
        commissioned_on date NOT NULL,
        device_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT charge_points_device_id_key UNIQUE (device_id),
        CONSTRAINT charge_points_connectors_check CHECK (connectors BETWEEN 1 AND 32),
        CONSTRAINT charge_points_max_kw_check CHECK (max_kw > 0)
      )`);
    await queryRunner.query(`CREATE INDEX charge_points_organization_idx ON charge_points (organization_id)`);
    await queryRunner.query(`CREATE INDEX charge_points_subsidy_grant_idx ON charge_points (subsidy_grant_id)`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL,
        organization_id uuid REFERENCES organizations (id) ON DELETE RESTRICT,
        key_hash bytea NOT NULL,
        key_prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
        CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'fleet_manager', 'climate_office', 'cooperative')),
        CONSTRAINT api_keys_organization_check CHECK ((role = 'cooperative') = (organization_id IS NOT NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE charge_points`);
    await queryRunner.query(`DROP TABLE subsidy_grants`);
    await queryRunner.query(`DROP TABLE vehicles`);
    await queryRunner.query(`DROP TABLE organizations`);
  }
}
