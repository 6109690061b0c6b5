/**
 * Whether a failed write is worth retrying as it is. PostgreSQL data and integrity errors
 * (SQLSTATE classes 22 and 23) will fail again however often they are retried; everything else
 * (connection lost, server shutting down, out of resources, serialization) is expected to pass.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code ?? (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23)/.test(code);
}

/** Exponential backoff with a cap: 100 ms, 200 ms, ... 5 s. */
export function backoffMs(attempt: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(attempt, 10));
}
