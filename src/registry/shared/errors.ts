import { BadRequestException } from '@nestjs/common';

/** A 400 in the same shape as the validation pipe's, for rules that need the database to check. */
export function invalidField(field: string, message: string): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid input', errors: [{ field, message }] });
}
