import { FieldError } from '../../platform/http/validation';
import { BudgetDto, TargetDto } from './budget-set.dto';
import { parseScope } from './scope';

/**
 * Rules across records that field validation cannot see: fromYear <= toYear; one budget per scope
 * and year (two budgets of one scope whose years overlap would make the year's budget ambiguous);
 * departments that exist; a change target's base year before its year.
 */
export function budgetSetErrors(budgets: BudgetDto[], targets: TargetDto[], departments: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = [];
  const unknownDepartment = (scope: string, field: string) => {
    const parsed = parseScope(scope);
    if (parsed?.kind === 'department' && !departments.has(parsed.key)) errors.push({ field, message: `no department ${parsed.key}` });
  };
  budgets.forEach((budget, i) => {
    unknownDepartment(budget.scope, `budgets.${i}.scope`);
    if (budget.fromYear > budget.toYear) errors.push({ field: `budgets.${i}.toYear`, message: `toYear ${budget.toYear} is before fromYear ${budget.fromYear}` });
    const key = parseScope(budget.scope);
    budgets.slice(0, i).forEach((earlier, j) => {
      const other = parseScope(earlier.scope);
      if (!key || !other || key.kind !== other.kind || key.key !== other.key) return;
      if (budget.fromYear <= earlier.toYear && earlier.fromYear <= budget.toYear) {
        errors.push({ field: `budgets.${i}`, message: `overlaps budgets.${j} (${earlier.scope} ${earlier.fromYear}-${earlier.toYear}): one budget per scope and year` });
      }
    });
  });
  targets.forEach((target, i) => {
    unknownDepartment(target.scope, `targets.${i}.scope`);
    if (target.kind === 'change' && target.baseYear !== undefined && target.baseYear >= target.year) {
      errors.push({ field: `targets.${i}.baseYear`, message: `baseYear ${target.baseYear} must be before year ${target.year}` });
    }
  });
  return errors;
}
