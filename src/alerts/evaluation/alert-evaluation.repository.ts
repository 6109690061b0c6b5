import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ALERT_KINDS } from '../rules/kinds/alert-kinds';

/** Taken for one evaluation transaction: a second worker skips the cycle instead of evaluating twice. */
const EVALUATION_LOCK = `hashtext('klimaklok:alert-evaluation')`;

export interface AlertChange {
  alertId: string;
  ruleId: string;
  event: 'opened' | 'resolved';
}

export interface EvaluationResult {
  /** False when another worker held the evaluation lock. */
  evaluated: boolean;
  holding: number;
  changes: AlertChange[];
  notificationIds: string[];
}

/** The kinds whose condition takes an input computed by the service. */
const COMPUTING_KINDS = ALERT_KINDS.filter((kind) => kind.computeInput);

/**
 * Each kind's condition over its enabled rules, as one row set. A computing kind sees only the
 * rules its input was computed for (`$3`): a rule created while the cycle computed (the
 * transaction reads committed rows) would otherwise be judged by an input that predates it, such
 * as the forecast of the budget set before the one it was created against.
 */
const CONDITIONS_SQL = ALERT_KINDS.map((kind) => {
  const computedFor = kind.computeInput ? ` AND id::text IN (SELECT jsonb_array_elements_text($3::jsonb -> '${kind.name}'))` : '';
  return `(WITH rules AS (SELECT * FROM alert_rules WHERE enabled AND kind = '${kind.name}'${computedFor}) ${kind.conditionSql})`;
}).join('\nUNION ALL\n');

/**
 * One evaluation cycle, set-based: every kind's condition into a temporary table, then four
 * statements over all rules and subjects at once (keep open alerts whose condition holds, open
 * the raised ones that have none, start the clear clock of the others, resolve those clear for
 * the rule's resolve_after_seconds). The partial unique index on open alerts makes the insert
 * idempotent even without the advisory lock.
 */
@Injectable()
export class AlertEvaluationRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    /** Absent when a bench or test builds the repository outside the application (and has no computing kind's rules). */
    private readonly services?: ModuleRef,
  ) {}

  evaluate(now: Date): Promise<EvaluationResult> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(${EVALUATION_LOCK}) AS locked`);
      if (!locked) return { evaluated: false, holding: 0, changes: [], notificationIds: [] };
      // The kinds group and hash tens of thousands of rows; the default 4 MB would spill them to disk.
      await manager.query(`SET LOCAL work_mem = '64MB'`);
      await manager.query(`
        CREATE TEMP TABLE alert_conditions (
          rule_id uuid NOT NULL, subject_id text NOT NULL, subject_part text NOT NULL, subject_label text NOT NULL,
          raise boolean NOT NULL, value double precision, message text NOT NULL,
          PRIMARY KEY (rule_id, subject_id, subject_part)
        ) ON COMMIT DROP`);
      const inputs = COMPUTING_KINDS.length > 0 ? await this.computedInputs(manager, now) : undefined;
      await manager.query(
        `INSERT INTO alert_conditions (rule_id, subject_id, subject_part, subject_label, raise, value, message) ${CONDITIONS_SQL}`,
        inputs ? [now, JSON.stringify(inputs.values), JSON.stringify(inputs.ruleIds)] : [now],
      );
      // Without statistics the planner takes the temporary table for a few rows and loops over it.
      await manager.query(`ANALYZE alert_conditions`);
      const [{ holding }] = await manager.query(`SELECT count(*)::int AS holding FROM alert_conditions`);
      await manager.query(
        `UPDATE alerts a SET clear_since = NULL, value = c.value, message = c.message
           FROM alert_conditions c
          WHERE a.resolved_at IS NULL AND a.clear_since IS NOT NULL
            AND a.rule_id = c.rule_id AND a.subject_id = c.subject_id AND a.subject_part = c.subject_part`,
      );
      const opened: Array<{ id: string; rule_id: string }> = await manager.query(
        `INSERT INTO alerts (rule_id, subject_id, subject_part, subject_label, opened_at, value, message)
         SELECT c.rule_id, c.subject_id, c.subject_part, c.subject_label, $1, c.value, c.message FROM alert_conditions c
          WHERE c.raise
            -- Most raised conditions already have their alert: an anti-join is cheaper than as many conflicts.
            AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.resolved_at IS NULL AND a.rule_id = c.rule_id AND a.subject_id = c.subject_id AND a.subject_part = c.subject_part)
         ON CONFLICT (rule_id, subject_id, subject_part) WHERE resolved_at IS NULL DO NOTHING
         RETURNING id, rule_id`,
        [now],
      );
      await manager.query(
        `UPDATE alerts a SET clear_since = $1
          WHERE a.resolved_at IS NULL AND a.clear_since IS NULL
            AND NOT EXISTS (SELECT 1 FROM alert_conditions c WHERE c.rule_id = a.rule_id AND c.subject_id = a.subject_id AND c.subject_part = a.subject_part)`,
        [now],
      );
      const resolved: Array<{ id: string; rule_id: string }> = updatedRows(
        await manager.query(
          `UPDATE alerts a SET resolved_at = $1
           FROM alert_rules r
          WHERE r.id = a.rule_id AND a.resolved_at IS NULL AND a.clear_since IS NOT NULL
            AND a.clear_since <= $1::timestamptz - make_interval(secs => r.resolve_after_seconds)
          RETURNING a.id, a.rule_id`,
          [now],
        ),
      );
      const changes: AlertChange[] = [
        ...opened.map((row) => ({ alertId: String(row.id), ruleId: row.rule_id, event: 'opened' as const })),
        ...resolved.map((row) => ({ alertId: String(row.id), ruleId: row.rule_id, event: 'resolved' as const })),
      ];
      const notificationIds = [
        ...(await this.queueNotifications(
          manager,
          opened.map((row) => String(row.id)),
          'opened',
        )),
        ...(await this.queueNotifications(
          manager,
          resolved.map((row) => String(row.id)),
          'resolved',
        )),
      ];
      return { evaluated: true, holding, changes, notificationIds };
    });
  }

  /** Each computing kind's input and the rules it was computed for, by kind name; a kind without enabled rules computes nothing. */
  private async computedInputs(manager: EntityManager, now: Date) {
    const values: Record<string, unknown> = {};
    const ruleIds: Record<string, string[]> = {};
    for (const kind of COMPUTING_KINDS) {
      const rules: Array<{ id: string; params: Record<string, unknown> }> = await manager.query(`SELECT id, params FROM alert_rules WHERE enabled AND kind = $1`, [kind.name]);
      ruleIds[kind.name] = rules.map((rule) => rule.id);
      if (rules.length === 0) continue;
      if (!this.services) throw new Error(`${kind.name} rules are evaluated only inside the application`);
      values[kind.name] = await kind.computeInput!(rules, now, this.services);
    }
    return { values, ruleIds };
  }

  /** A notification row per channel of each alert's rule, in the evaluation's transaction: none is lost between commit and queue. */
  private async queueNotifications(manager: EntityManager, alertIds: string[], event: 'opened' | 'resolved'): Promise<string[]> {
    if (alertIds.length === 0) return [];
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO alert_notifications (alert_id, event, channel, target)
       SELECT a.id, $2, 'webhook', r.webhook_url FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
        WHERE a.id = ANY($1::bigint[]) AND r.webhook_url IS NOT NULL
       UNION ALL
       SELECT a.id, $2, 'email', e.address FROM alerts a JOIN alert_rules r ON r.id = a.rule_id CROSS JOIN unnest(r.email_to) AS e(address)
        WHERE a.id = ANY($1::bigint[])
       RETURNING id`,
      [alertIds, event],
    );
    return rows.map((row) => String(row.id));
  }

  /** Notifications recorded but never picked up (Redis was away when they were queued). */
  async unqueuedNotifications(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM alert_notifications WHERE status = 'pending' AND attempts = 0 AND created_at < now() - interval '1 minute' ORDER BY id LIMIT 1000`,
    );
    return rows.map((row) => String(row.id));
  }
}

/** TypeORM answers an UPDATE ... RETURNING on pg with [rows, affected count]. */
function updatedRows<T>(result: [T[], number]): T[] {
  return result[0];
}
