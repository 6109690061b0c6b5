/**
 * The WHERE clause of a filter: each condition has one `$?` for its value and counts only when
 * the value is set; the values become the parameters $1, $2, ... in order.
 * `whereClause({ 'reason = $?': 'x', 'at >= $?': undefined })` is `WHERE reason = $1` with ['x'].
 * With `before` parameters of the statement ahead of them, they are numbered from `before + 1`.
 */
export function whereClause(conditions: Record<string, unknown>, before = 0): { clause: string; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  for (const [condition, value] of Object.entries(conditions)) {
    if (value === undefined || value === null || value === '') continue;
    params.push(value);
    sql.push(condition.replace('$?', `$${before + params.length}`));
  }
  return { clause: sql.length ? `WHERE ${sql.join(' AND ')}` : '', params };
}
