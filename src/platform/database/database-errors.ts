import { ConflictException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** Which field a unique or foreign-key constraint guards, for messages callers understand. */
export type ConstraintFields = Record<string, string>;

/**
 * Turns a unique or foreign-key violation into a 409 naming the field; rethrows anything else.
 * Call from a repository's catch block.
 */
export function rethrowAsConflict(error: unknown, fields: ConstraintFields): never {
  if (error instanceof QueryFailedError) {
    const driverError = error.driverError as { code?: string; constraint?: string; detail?: string };
    const field = driverError.constraint ? fields[driverError.constraint] : undefined;
    if (driverError.code === UNIQUE_VIOLATION) {
      throw new ConflictException({
        statusCode: 409,
        message: field ? `${field} is already in use` : 'Duplicate value',
        errors: field ? [{ field, message: `${field} is already in use` }] : [],
      });
    }
    if (driverError.code === FOREIGN_KEY_VIOLATION) {
      throw new ConflictException({
        statusCode: 409,
        message: field ? `Still referenced by ${field}` : 'Still referenced by other records',
      });
    }
  }
  throw error;
}

/** Socket errors of a server that is down, restarting or out of reach. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** SQLSTATEs of a server going away: admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down). */
const SHUTDOWN_STATES = new Set(['57P01', '57P02', '57P03']);
/**
 * What node-postgres says when a connection ends under it or a new one cannot be opened in time
 * ("Connection terminated due to connection timeout"); these errors carry no code.
 */
const UNREACHABLE_MESSAGES = /Connection terminated|Client has encountered a connection error/i;
/** pg-pool's error when every pooled connection stayed busy for connectionTimeoutMillis. */
const POOL_EXHAUSTED_MESSAGE = 'timeout exceeded when trying to connect';

/**
 * Whether an error means PostgreSQL cannot be reached (down, restarting, out of reach), rather
 * than that a query is wrong: an outage to wait out, not a bug to log.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  // TypeORM releases a transaction's query runner when its connection dies under it; the rollback
  // that follows fails with this instead of the connection error.
  if ((error as { name?: unknown }).name === 'QueryRunnerAlreadyReleasedError') return true;
  const candidate = error as { code?: unknown; message?: unknown; driverError?: unknown; errors?: unknown };
  if (candidate.driverError && candidate.driverError !== error && isDatabaseUnreachable(candidate.driverError)) return true;
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => isDatabaseUnreachable(inner))) return true;
  const code = typeof candidate.code === 'string' ? candidate.code : '';
  if (UNREACHABLE_CODES.has(code) || SHUTDOWN_STATES.has(code) || code.startsWith('08')) return true;
  return typeof candidate.message === 'string' && UNREACHABLE_MESSAGES.test(candidate.message);
}

/**
 * Whether an error means the connection pool had no free connection in time: the database is
 * reachable but this process asks more of it than the pool holds (a burst of jobs, slow queries).
 * Worth waiting out like an outage, but it is not one and must not be logged as one.
 */
export function isPoolExhausted(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const candidate = error as { message?: unknown; driverError?: unknown };
  if (candidate.driverError && candidate.driverError !== error && isPoolExhausted(candidate.driverError)) return true;
  return candidate.message === POOL_EXHAUSTED_MESSAGE;
}
