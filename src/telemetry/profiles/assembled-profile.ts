/** What one delivery of a one-value-per-topic publisher is, once its topic is known to be a device's. */
export type ValueKind =
  /** A value the profile maps: joins the device's assembly window. */
  | { kind: 'value' }
  /** The publisher's connection event. */
  | { kind: 'connection'; state: 'online' | 'offline' }
  /** A key the profile does not take (counted, not stored). */
  | { kind: 'ignored' };

/** Contract-v1 bodies assembled from one window, validated afterwards by the contract's normalisers. */
export interface AssembledBodies {
  vehicle?: Record<string, unknown>;
  status?: Record<string, unknown>;
  meter?: Record<string, unknown>;
}

/**
 * Splits a position: `lat` without `lon` (or the reverse) in one window drops the position, not
 * the sample (device-profiles.md).
 */
export function keepWholePosition(body: Record<string, unknown>): void {
  if ((body.lat === undefined) !== (body.lon === undefined)) {
    delete body.lat;
    delete body.lon;
  }
}

/** Copies the defined entries only: an unknown value is absent from the sample, never null or 0. */
export function definedOnly(entries: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key in entries) if (entries[key] !== undefined) body[key] = entries[key];
  return body;
}
