import { HttpException, Injectable, Logger } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { fieldErrors, FieldError } from '../../platform/http/validation';
import { ChargePointsService } from '../charge-points/charge-points.service';
import { CreateOrganizationDto } from '../organizations/organization.dto';
import { OrganizationsService } from '../organizations/organizations.service';
import { invalidField } from '../shared/errors';
import { normalizeRegistration } from '../../platform/validation/validators';
import { SubsidyGrantsService } from '../subsidy-grants/subsidy-grants.service';
import { DEFAULT_PROFILE } from '../devices/device-profiles';
import { VehiclesService } from '../vehicles/vehicles.service';
import { ChargePointRow, FleetFile, FleetFileSection, SubsidyGrantRow, VehicleRow } from './fleet-file';

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface RowResult {
  section: FleetFileSection;
  /** Position of the row in its section, from 0. */
  index: number;
  /** The row's natural key (organization number, reference, registration, device id) when it has one. */
  key: string | null;
  outcome: RowOutcome;
  errors?: FieldError[];
}

export interface FleetImportResult {
  summary: Record<RowOutcome, number>;
  rows: RowResult[];
}

type Upsert = { outcome: Exclude<RowOutcome, 'rejected'> };

/**
 * Imports a fleet file row by row. Each row is validated with the same rules as the API and
 * written in its own transaction, so a rejected row leaves nothing behind and the good rows
 * land. Rows are matched on natural keys, so importing the same file twice changes nothing.
 */
@Injectable()
export class FleetImportService {
  private readonly logger = new Logger(FleetImportService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly organizations: OrganizationsService,
    private readonly grants: SubsidyGrantsService,
    private readonly vehicles: VehiclesService,
    private readonly chargePoints: ChargePointsService,
  ) {}

  async import(file: FleetFile): Promise<FleetImportResult> {
    const rows: RowResult[] = [];
    const run = async <T extends object>(
      section: FleetFileSection,
      type: ClassConstructor<T>,
      items: unknown[] | undefined,
      keyOf: (row: T) => string,
      write: (row: T, manager: EntityManager) => Promise<Upsert>,
    ) => {
      for (const [index, raw] of (items ?? []).entries()) rows.push(await this.importRow(section, index, raw, type, keyOf, write));
    };
    await run(
      'organizations',
      CreateOrganizationDto,
      file.organizations,
      (row) => row.orgNumber,
      (row, manager) => this.upsertOrganization(row, manager),
    );
    await run(
      'subsidyGrants',
      SubsidyGrantRow,
      file.subsidyGrants,
      (row) => row.reference,
      (row, manager) => this.upsertGrant(row, manager),
    );
    rows.push(...(await this.importVehicles(file.vehicles ?? [])));
    await run(
      'chargePoints',
      ChargePointRow,
      file.chargePoints,
      (row) => row.deviceId,
      (row, manager) => this.upsertChargePoint(row, manager),
    );

    const summary: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
    for (const row of rows) summary[row.outcome] += 1;
    this.logger.log({ ...summary }, 'Fleet import finished');
    return { summary, rows };
  }

  /**
   * A vehicle may name the vehicle it replaced by registration, and that vehicle may come later
   * in the file: replaced vehicles are imported first, results still reported in file order.
   */
  private async importVehicles(items: unknown[]): Promise<RowResult[]> {
    const results: RowResult[] = new Array(items.length);
    for (const index of replacedFirst(items)) {
      results[index] = await this.importRow(
        'vehicles',
        index,
        items[index],
        VehicleRow,
        (row) => row.registration,
        (row, manager) => this.upsertVehicle(row, manager),
      );
    }
    return results;
  }

  private async importRow<T extends object>(
    section: FleetFileSection,
    index: number,
    raw: unknown,
    type: ClassConstructor<T>,
    keyOf: (row: T) => string,
    write: (row: T, manager: EntityManager) => Promise<Upsert>,
  ): Promise<RowResult> {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      return { section, index, key: null, outcome: 'rejected', errors: [{ field: '', message: 'row must be an object' }] };
    }
    const row = plainToInstance(type, raw);
    const key = String(keyOf(row) ?? '') || null;
    const problems = await validate(row, { whitelist: true, forbidNonWhitelisted: true });
    if (problems.length > 0) return { section, index, key, outcome: 'rejected', errors: fieldErrors(problems) };
    try {
      const { outcome } = await this.transactions.run((manager) => write(row, manager));
      return { section, index, key, outcome };
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      return { section, index, key, outcome: 'rejected', errors: errorsOf(error) };
    }
  }

  private async upsertOrganization(row: CreateOrganizationDto, manager: EntityManager): Promise<Upsert> {
    return upsert(this.organizations, await this.organizations.findByOrgNumber(row.orgNumber, manager), row, manager);
  }

  private async upsertGrant(row: SubsidyGrantRow, manager: EntityManager): Promise<Upsert> {
    const { cooperative, ...fields } = row;
    const organizationId = await this.organizationId(cooperative, 'cooperative', manager);
    const values = { ...fields, organizationId };
    return upsert(this.grants, await this.grants.findByReference(row.reference, manager), values, manager);
  }

  private async upsertVehicle(row: VehicleRow, manager: EntityManager): Promise<Upsert> {
    const { department, replaces, ...fields } = row;
    const departmentId = await this.organizationId(department, 'department', manager);
    let replacesVehicleId: string | null = null;
    if (replaces) {
      const replaced = await this.vehicles.findByRegistration(replaces, manager);
      if (!replaced) throw invalidField('replaces', `no vehicle with registration ${replaces}`);
      replacesVehicleId = replaced.id;
    }
    const values = {
      vin: null,
      inServiceTo: null,
      nominalConsumptionPerKm: null,
      chargingEfficiency: null,
      referenceCarrier: null,
      referenceConsumptionPerKm: null,
      deviceId: null,
      ...fields,
      // A row without them is a contract-v1 device (the validated row has them as undefined, which would not compare as unchanged).
      profile: fields.profile ?? DEFAULT_PROFILE,
      profileIdentity: fields.profileIdentity ?? null,
      profileTopic: fields.profileTopic ?? null,
      departmentId,
      replacesVehicleId,
    };
    return upsert(this.vehicles, await this.vehicles.findByRegistration(row.registration, manager), values, manager);
  }

  private async upsertChargePoint(row: ChargePointRow, manager: EntityManager): Promise<Upsert> {
    const { cooperative, subsidyGrant, protocol, ...fields } = row;
    const organizationId = await this.organizationId(cooperative, 'cooperative', manager);
    let subsidyGrantId: string | null = null;
    if (subsidyGrant) {
      const grant = await this.grants.findByReference(subsidyGrant, manager);
      if (!grant) throw invalidField('subsidyGrant', `no subsidy grant with reference ${subsidyGrant}`);
      subsidyGrantId = grant.id;
    }
    // A file without `protocol` leaves the registered one as it is (new charge points get `mqtt`).
    const values = { ...fields, profile: fields.profile ?? DEFAULT_PROFILE, profileIdentity: fields.profileIdentity ?? null, ...(protocol ? { protocol } : {}), organizationId, subsidyGrantId };
    return upsert(this.chargePoints, await this.chargePoints.findByDeviceId(row.deviceId, manager), values, manager);
  }

  private async organizationId(orgNumber: string, field: string, manager: EntityManager): Promise<string> {
    const organization = await this.organizations.findByOrgNumber(orgNumber, manager);
    if (!organization) throw invalidField(field, `no organization with number ${orgNumber}`);
    return organization.id;
  }
}

interface Register<V> {
  create(values: V, manager: EntityManager): Promise<unknown>;
  update(id: string, values: V, manager: EntityManager): Promise<unknown>;
}

/** Creates the row where the register has none, else updates the one it has where the row differs. */
async function upsert<V extends object>(register: Register<V>, existing: { id: string } | null, values: V, manager: EntityManager): Promise<Upsert> {
  if (!existing) {
    await register.create(values, manager);
    return { outcome: 'created' };
  }
  if (same(existing, values)) return { outcome: 'unchanged' };
  await register.update(existing.id, values, manager);
  return { outcome: 'updated' };
}

/** True when every field of `values` already has that value in `existing`. */
function same(existing: object, values: object): boolean {
  const current = existing as Record<string, unknown>;
  return Object.entries(values).every(([field, value]) => (current[field] ?? null) === (value ?? null));
}

function errorsOf(error: HttpException): FieldError[] {
  const body = error.getResponse() as { errors?: FieldError[]; message?: string } | string;
  if (typeof body === 'object' && body.errors?.length) return body.errors;
  return [{ field: '', message: typeof body === 'string' ? body : String(body.message ?? error.message) }];
}

/** Row indexes ordered so that a replaced vehicle comes before the one replacing it (cycles left as found). */
export function replacedFirst(items: unknown[]): number[] {
  const registration = (raw: unknown, field: 'registration' | 'replaces') => {
    const value = (raw as Record<string, unknown> | null)?.[field];
    return typeof value === 'string' ? normalizeRegistration(value) : null;
  };
  const indexOf = new Map(items.map((raw, index) => [registration(raw, 'registration'), index]));
  const order: number[] = [];
  const seen = new Set<number>();
  const visit = (index: number) => {
    if (seen.has(index)) return;
    seen.add(index);
    const target = indexOf.get(registration(items[index], 'replaces'));
    if (target !== undefined) visit(target);
    order.push(index);
  };
  items.forEach((_, index) => visit(index));
  return order;
}
