import { HttpException } from '@nestjs/common';
import { BudgetReportService } from '../../../emissions/budgets/budget-report.service';
import { parseScope, scopeText } from '../../../emissions/budgets/scope';
import { AlertKind } from './alert-kind';

const RAISING_STATUSES = ['at_risk', 'off_track'];

/**
 * The climate budget of a scope (`fleet`, `department:<id>`, `vehicleClass:<class>`) in the
 * newest budget set is at risk or off track this year, by the budget report's forecast at the end
 * of the last ended month. `status` is the least severe status that opens an alert: `off_track`
 * (default) or `at_risk` (at risk or off track). An alert stays open while the scope is not on
 * track (an off-track alert is not resolved by a forecast that dips to at risk) and resolves once
 * it is on track again, or has no budget or forecast (no month of the year has ended).
 *
 * The forecast is computed in the service, once per cycle and distinct scope however many rules
 * watch it, and reaches the query as rows of `$2`.
 */
export const budgetStatus: AlertKind = {
  name: 'budget_status',
  subjectKinds: ['budget'],
  parseParams: (input) => {
    const scope = parseScope(String(input.scope ?? 'fleet'));
    if (!scope) throw new Error('params.scope must be fleet, department:<id> or vehicleClass:<class>');
    const status = input.status ?? 'off_track';
    if (typeof status !== 'string' || !RAISING_STATUSES.includes(status)) throw new Error(`params.status must be one of ${RAISING_STATUSES.join(', ')}`);
    return { scope: scopeText(scope), status };
  },
  async computeInput(rules, now, services) {
    const reports = services.get(BudgetReportService);
    const scopes = [...new Set(rules.map((rule) => String(rule.params.scope)))];
    const statuses = [];
    // One scope after the other: a background loop need not load the database with a report per department at once.
    for (const scope of scopes) {
      const status = await reports.currentStatus(scope, now).catch((error: unknown) => {
        // No budget set, no budget for the scope this year, or its department gone: nothing to watch.
        if (error instanceof HttpException) return null;
        throw error;
      });
      if (status?.status === 'at_risk' || status?.status === 'off_track') statuses.push(status);
    }
    return statuses;
  },
  conditionSql: `
    SELECT r.id AS rule_id, b.scope AS subject_id, '' AS subject_part, 'climate budget ' || b.scope AS subject_label,
           b.status = 'off_track' OR r.params->>'status' = 'at_risk' AS raise,
           b."forecastKg" AS value,
           replace(b.status, '_', ' ') || ': ' || b.year || ' forecast ' || round(b."forecastKg"::numeric, 1) || ' kg against a budget of '
             || round(b."annualKg"::numeric, 1) || ' kg (budget set ' || b."budgetSetVersion" || ', at the end of month ' || b."atEndOfMonth" || ')' AS message
      FROM rules r
      JOIN jsonb_to_recordset($2::jsonb -> 'budget_status')
           AS b(scope text, year int, "budgetSetVersion" int, "annualKg" float8, "atEndOfMonth" int, "forecastKg" float8, status text)
        ON b.scope = r.params->>'scope'`,
};
