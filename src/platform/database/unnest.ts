/** Rows as one array per column, in the order of `columns`: the parameters of an `INSERT ... SELECT FROM unnest($1::text[], ...)`. */
export function columnArrays<T, K extends keyof T>(rows: readonly T[], columns: readonly K[]): Array<Array<T[K]>> {
  return columns.map((column) => rows.map((row) => row[column]));
}
