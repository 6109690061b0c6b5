import { Principal } from '../platform/access/role';
import { SubjectKind } from './rules/kinds/alert-kind';

/**
 * Who may see and make rules (and so their alerts): vehicles are the fleet's (admin, fleet
 * manager), charge points their cooperative's (a cooperative key: its own only; admin: any), the
 * budget the climate office's (and admin).
 */
export function mayWatch(principal: Principal, subjectKind: SubjectKind): boolean {
  if (principal.role === 'admin') return true;
  if (subjectKind === 'vehicle') return principal.role === 'fleet_manager';
  if (subjectKind === 'charge_point') return principal.role === 'cooperative';
  return principal.role === 'climate_office';
}

/** The rules a principal sees, as a condition on alert_rules `r`, with its parameters numbered from `first`. */
export function visibleRules(principal: Principal, first: number): { sql: string; params: unknown[] } {
  switch (principal.role) {
    case 'admin':
      return { sql: 'true', params: [] };
    case 'fleet_manager':
      return { sql: `r.subject_kind = 'vehicle'`, params: [] };
    case 'climate_office':
      return { sql: `r.subject_kind = 'budget'`, params: [] };
    case 'cooperative':
      return { sql: `r.subject_kind = 'charge_point' AND r.organization_id = $${first}`, params: [principal.organizationId] };
  }
}
