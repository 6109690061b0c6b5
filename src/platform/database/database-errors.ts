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
