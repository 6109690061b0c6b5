/**
 * PostgreSQL array literals ('{1.5,NULL,2}') for the ingest's multi-row inserts, built in one
 * pass. node-postgres serialises a JS array element by element through its generic escaping,
 * which was a tenth of the ingest's CPU at full load; numbers, booleans and uuids need no
 * escaping, so they go as one text parameter each, cast in SQL (`$1::float8[]`).
 * Text columns keep node-postgres' own serialisation: they need its escaping.
 */

/**
 * float8[] / int[]: finite numbers (the contract's readers refuse anything else) or null.
 * A column that is null in every row is an empty array: `unnest(a, b, ...)` pads the shorter
 * arrays with nulls, and most fields are absent from most samples (fuel on an electric car).
 */
export function numberArray<T>(rows: readonly T[], value: (row: T) => number | null): string {
  return literal(rows, value, String);
}

/** bool[]: like numberArray, an empty array when every row is null. */
export function booleanArray<T>(rows: readonly T[], value: (row: T) => boolean | null): string {
  return literal(rows, value, (v) => (v ? 't' : 'f'));
}

function literal<T, V>(rows: readonly T[], value: (row: T) => V | null, write: (v: V) => string): string {
  let text = '{';
  let present = false;
  for (let i = 0; i < rows.length; i++) {
    const v = value(rows[i]);
    if (i > 0) text += ',';
    if (v === null) text += 'NULL';
    else {
      text += write(v);
      present = true;
    }
  }
  return present ? `${text}}` : '{}';
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * uuid[]: the registry's ids. Checked, since an id is pasted into the literal unescaped; the
 * check is cheap next to the insert, and repeats of one id (a device's samples) are checked once.
 */
export function uuidArray<T>(rows: readonly T[], value: (row: T) => string): string {
  let literal = '{';
  let checked = '';
  for (let i = 0; i < rows.length; i++) {
    const v = value(rows[i]);
    if (v !== checked) {
      if (!UUID.test(v)) throw new Error(`not a uuid: ${JSON.stringify(v.slice(0, 50))}`);
      checked = v;
    }
    if (i > 0) literal += ',';
    literal += v;
  }
  return `${literal}}`;
}
