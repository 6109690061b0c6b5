import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface GrantRow {
  id: string;
  reference: string;
  organizationId: string;
  organizationName: string;
  grantedOn: string;
  amountNok: number;
  chargePointCount: number;
  followUpEndsOn: string;
}

export interface SubmissionRow {
  id: string;
  organizationId: string;
  from: string;
  to: string;
  submittedAt: Date;
  /** The local day (reporting time zone) it was submitted on. */
  submittedOn: string;
}

/** Subsidy grants of housing cooperatives and their submitted reports, for the follow-up calendar. */
@Injectable()
export class FollowUpRepository {
  /** The grants of one cooperative, or of every one when null. */
  grants(manager: EntityManager, organizationId: string | null): Promise<GrantRow[]> {
    return manager.query(
      `SELECT g.id, g.reference, g.organization_id AS "organizationId", o.name AS "organizationName",
              to_char(g.granted_on, 'YYYY-MM-DD') AS "grantedOn", g.amount_nok::float8 AS "amountNok",
              g.charge_point_count AS "chargePointCount", to_char(g.follow_up_ends_on, 'YYYY-MM-DD') AS "followUpEndsOn"
         FROM subsidy_grants g JOIN organizations o ON o.id = g.organization_id
        WHERE o.kind = 'housing_cooperative' AND ($1::uuid IS NULL OR g.organization_id = $1::uuid)
        ORDER BY g.granted_on, g.reference`,
      [organizationId],
    );
  }

  submissions(manager: EntityManager, organizationId: string | null, timeZone: string): Promise<SubmissionRow[]> {
    return manager.query(
      `SELECT id, organization_id AS "organizationId", to_char(period_from, 'YYYY-MM-DD') AS "from", to_char(period_to, 'YYYY-MM-DD') AS "to",
              submitted_at AS "submittedAt", to_char(submitted_at AT TIME ZONE $2, 'YYYY-MM-DD') AS "submittedOn"
         FROM charging_report_submissions
        WHERE $1::uuid IS NULL OR organization_id = $1::uuid`,
      [organizationId, timeZone],
    );
  }

  /** Today in the reporting time zone: the day the statuses are read on. */
  async today(manager: EntityManager, timeZone: string): Promise<string> {
    const [row] = await manager.query(`SELECT to_char(now() AT TIME ZONE $1, 'YYYY-MM-DD') AS today`, [timeZone]);
    return row.today;
  }
}
