import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min, ValidationOptions, registerDecorator } from 'class-validator';
import { isValidOrgNumber, normalizeOrgNumber } from './org-number';

/** Telemetry device ids as the telemetry contract allows them in topics. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export const IsDeviceId = () => Matches(DEVICE_ID_PATTERN, { message: '$property must match ^[A-Za-z0-9._-]{1,64}$' });

export function IsOrgNumber(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isOrgNumber',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be a valid 9-digit Norwegian organization number', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isValidOrgNumber(value) },
    });
}

export const NormalizeOrgNumber = () => Transform(({ value }) => (typeof value === 'string' ? normalizeOrgNumber(value) : typeof value === 'number' ? String(value) : value));

/** Registrations are compared without spaces or dashes and in capitals: "el 12 345" is EL12345. */
export function normalizeRegistration(value: string): string {
  return value.replace(/[\s-]+/g, '').toUpperCase();
}

export const NormalizeRegistration = () => Transform(({ value }) => (typeof value === 'string' ? normalizeRegistration(value) : value));

/** YAML and JSON files may carry dates as Date objects or strings; the API keeps YYYY-MM-DD. */
export const NormalizeDate = () => Transform(({ value }) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : value));

/** A year the fleet's figures can be about. */
export const IsYear = () => applyDecorators(IsInt({ message: '$property must be a year' }), Min(2000), Max(2100));

export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const IsDateOnly = () => Matches(DATE_PATTERN, { message: '$property must be a date YYYY-MM-DD' });
