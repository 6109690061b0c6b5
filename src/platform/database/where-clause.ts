/**
 * The WHERE clause of a filter: each condition has one `$?` for its value and counts only when
 * the value is set; the values become the parameters $1, $2, ... in order.
 * `whereClause({ 'reason = $?': 'x', 'at >= $?': undefined })` is `WHERE reason = $1` with ['x'].
 */
export function whereClause(conditions: Record<string, unknown>): { clause: string; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  for (const [condition, value] of Object.entries(conditions)) {
    if (value === undefined || value === null || value === '') continue;
    params.push(value);
    sql.push(condition.replace('$?', `$${params.length}`));
  }
  return { clause: sql.length ? `WHERE ${sql.join(' AND ')}` : '', params };
}
