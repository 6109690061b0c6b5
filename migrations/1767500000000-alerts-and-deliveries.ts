import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert rules, their alerts (one open per rule and subject, enforced by a partial unique index so
 * that two evaluating workers cannot both open one), notifications per channel, scheduled
 * deliveries (one row per kind, subject and period: the claim that makes a delivery happen once),
 * and the contact address an organization's deliveries go to.
 */
export class AlertsAndDeliveries1767500000000 implements MigrationInterface {
  name = 'AlertsAndDeliveries1767500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE organizations ADD COLUMN contact_email text`);
    // The availability rule sums the intervals of the last N days of every charge point at once.
    await queryRunner.query(`CREATE INDEX charge_point_availability_day_idx ON charge_point_availability (day)`);
    await queryRunner.query(`
      CREATE TABLE alert_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        subject_kind text NOT NULL CHECK (subject_kind IN ('vehicle', 'charge_point', 'budget')),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
        params jsonb NOT NULL,
        resolve_after_seconds integer NOT NULL DEFAULT 0 CHECK (resolve_after_seconds >= 0),
        enabled boolean NOT NULL DEFAULT true,
        webhook_url text,
        webhook_secret text,
        email_to text[] NOT NULL DEFAULT '{}',
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((webhook_url IS NULL) = (webhook_secret IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX alert_rules_kind_idx ON alert_rules (kind) WHERE enabled`);
    await queryRunner.query(`CREATE INDEX alert_rules_organization_idx ON alert_rules (organization_id)`);
    await queryRunner.query(`
      CREATE TABLE alerts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
        subject_id text NOT NULL,
        subject_part text NOT NULL DEFAULT '',
        subject_label text NOT NULL,
        opened_at timestamptz NOT NULL,
        value double precision,
        message text NOT NULL,
        clear_since timestamptz,
        resolved_at timestamptz,
        acknowledged_at timestamptz,
        acknowledged_by uuid,
        acknowledged_by_name text,
        acknowledge_comment text,
        CHECK (resolved_at IS NULL OR resolved_at >= opened_at)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX alerts_open_key ON alerts (rule_id, subject_id, subject_part) WHERE resolved_at IS NULL`);
    await queryRunner.query(`CREATE INDEX alerts_rule_opened_idx ON alerts (rule_id, opened_at)`);
    await queryRunner.query(`CREATE INDEX alerts_resolved_idx ON alerts (resolved_at)`);
    await queryRunner.query(`
      CREATE TABLE alert_notifications (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        alert_id bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        event text NOT NULL CHECK (event IN ('opened', 'resolved')),
        channel text NOT NULL CHECK (channel IN ('webhook', 'email')),
        target text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'retrying', 'delivered', 'given_up')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        given_up_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX alert_notifications_alert_idx ON alert_notifications (alert_id)`);
    await queryRunner.query(`CREATE INDEX alert_notifications_unqueued_idx ON alert_notifications (created_at) WHERE status = 'pending' AND attempts = 0`);
    await queryRunner.query(`
      CREATE TABLE scheduled_deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('cooperative_charging_usage', 'climate_fleet_kpis')),
        subject text NOT NULL,
        period text NOT NULL,
        organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
        recipient text NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed', 'delivered')),
        attempts integer NOT NULL DEFAULT 0,
        attachment text,
        message_id text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        delivered_by text,
        CONSTRAINT scheduled_deliveries_period_key UNIQUE (kind, subject, period)
      )`);
    await queryRunner.query(`CREATE INDEX scheduled_deliveries_due_idx ON scheduled_deliveries (due_at) WHERE status <> 'delivered'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scheduled_deliveries`);
    await queryRunner.query(`DROP TABLE alert_notifications`);
    await queryRunner.query(`DROP TABLE alerts`);
    await queryRunner.query(`DROP TABLE alert_rules`);
    await queryRunner.query(`DROP INDEX charge_point_availability_day_idx`);
    await queryRunner.query(`ALTER TABLE organizations DROP COLUMN contact_email`);
  }
}
