import { IsOptional, IsString, Length } from 'class-validator';
import yaml from 'js-yaml';
import { ChargePointFields } from '../charge-points/charge-point.dto';
import { SubsidyGrantFields } from '../subsidy-grants/subsidy-grant.dto';
import { VehicleFields } from '../vehicles/vehicle.dto';
import { IsOrgNumber, NormalizeOrgNumber, NormalizeRegistration } from '../../platform/validation/validators';

/**
 * The fleet file: the registry as a document, rows referring to each other by natural keys
 * (organization number, grant reference, registration) instead of ids, so that one file can be
 * imported into any installation and again after edits.
 */
export interface FleetFile {
  organizations?: unknown[];
  subsidyGrants?: unknown[];
  vehicles?: unknown[];
  chargePoints?: unknown[];
}

export const FLEET_FILE_SECTIONS = ['organizations', 'subsidyGrants', 'vehicles', 'chargePoints'] as const;
export type FleetFileSection = (typeof FLEET_FILE_SECTIONS)[number];

export class SubsidyGrantRow extends SubsidyGrantFields {
  /** Organization number of the housing cooperative. */
  @NormalizeOrgNumber()
  @IsOrgNumber()
  cooperative: string;
}

export class VehicleRow extends VehicleFields {
  /** Organization number of the municipal department. */
  @NormalizeOrgNumber()
  @IsOrgNumber()
  department: string;

  /** Registration of the vehicle this one replaced; it may appear anywhere in the same file. */
  @IsOptional()
  @NormalizeRegistration()
  @IsString()
  replaces?: string | null;
}

export class ChargePointRow extends ChargePointFields {
  @NormalizeOrgNumber()
  @IsOrgNumber()
  cooperative: string;

  /** Reference of the subsidy grant. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  subsidyGrant?: string | null;
}

export class FleetFileError extends Error {}

/** Parses a fleet file from JSON or YAML text; YAML dates stay strings (core schema). */
export function parseFleetFile(input: unknown): FleetFile {
  let document = input;
  if (typeof input === 'string') {
    try {
      document = yaml.load(input, { schema: yaml.CORE_SCHEMA, json: true });
    } catch (error) {
      throw new FleetFileError(`Not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw new FleetFileError(`A fleet file is an object with any of the sections ${FLEET_FILE_SECTIONS.join(', ')}`);
  }
  const unknown = Object.keys(document).filter((key) => !FLEET_FILE_SECTIONS.includes(key as FleetFileSection));
  if (unknown.length > 0) throw new FleetFileError(`Unknown section(s): ${unknown.join(', ')}`);
  for (const section of FLEET_FILE_SECTIONS) {
    const rows = (document as Record<string, unknown>)[section];
    if (rows !== undefined && !Array.isArray(rows)) throw new FleetFileError(`Section ${section} must be a list`);
  }
  return document as FleetFile;
}
