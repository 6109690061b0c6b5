import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ChargingUsageReport } from '../reports/charging-usage.service';

export interface Submission {
  id: string;
  organizationId: string;
  organizationName: string;
  from: string;
  to: string;
  submittedAt: Date;
  submittedBy: { keyId: string; keyName: string };
  report: ChargingUsageReport;
}

export interface SubmissionStatus {
  organizationId: string;
  organizationName: string;
  submitted: boolean;
  submissionId: string | null;
  submittedAt: Date | null;
  submittedBy: { keyId: string; keyName: string } | null;
}

const SELECT = `SELECT s.id, s.organization_id AS "organizationId", (SELECT o.name FROM organizations o WHERE o.id = s.organization_id) AS "organizationName", to_char(s.period_from, 'YYYY-MM-DD') AS "from", to_char(s.period_to, 'YYYY-MM-DD') AS "to",
       s.submitted_at AS "submittedAt", json_build_object('keyId', s.submitted_by_key_id, 'keyName', s.submitted_by_key_name) AS "submittedBy", s.report
  FROM charging_report_submissions s`;

@Injectable()
export class SubmissionRepository {
  /** Freezes the report; null when the organization already submitted that period (a submission is never replaced). */
  async insert(manager: EntityManager, organizationId: string, from: string, to: string, keyId: string, report: ChargingUsageReport): Promise<Submission | null> {
    const [row] = await manager.query(
      `WITH written AS (
         INSERT INTO charging_report_submissions (organization_id, period_from, period_to, submitted_by_key_id, submitted_by_key_name, report)
         SELECT $1, $2, $3, k.id, k.name, $5::jsonb FROM api_keys k WHERE k.id = $4
         ON CONFLICT ON CONSTRAINT charging_report_submissions_period_key DO NOTHING
         RETURNING id
       )
       SELECT id FROM written`,
      [organizationId, from, to, keyId, JSON.stringify(report)],
    );
    return row ? this.find(manager, row.id) : null;
  }

  async find(manager: EntityManager, id: string): Promise<Submission | null> {
    const [row] = await manager.query(`${SELECT} WHERE s.id = $1`, [id]);
    return row ?? null;
  }

  async findForPeriod(manager: EntityManager, organizationId: string, from: string, to: string): Promise<Submission | null> {
    const [row] = await manager.query(`${SELECT} WHERE s.organization_id = $1 AND s.period_from = $2 AND s.period_to = $3`, [organizationId, from, to]);
    return row ?? null;
  }

  /** Every housing cooperative (or the one given) with its submission of exactly [from, to), if any. */
  statuses(manager: EntityManager, from: string, to: string, organizationId: string | null): Promise<SubmissionStatus[]> {
    return manager.query(
      `SELECT o.id AS "organizationId", o.name AS "organizationName", s.id IS NOT NULL AS submitted, s.id AS "submissionId",
              s.submitted_at AS "submittedAt",
              CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('keyId', s.submitted_by_key_id, 'keyName', s.submitted_by_key_name) END AS "submittedBy"
         FROM organizations o
         LEFT JOIN charging_report_submissions s ON s.organization_id = o.id AND s.period_from = $1 AND s.period_to = $2
        WHERE o.kind = 'housing_cooperative' AND ($3::uuid IS NULL OR o.id = $3::uuid)
        ORDER BY o.name, o.id`,
      [from, to, organizationId],
    );
  }
}
