import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { FieldError } from '../../platform/http/validation';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { NON_FOSSIL_VEHICLE, VehicleCarrier } from '../domain/carriers';
import { CreateCandidateDto, CreateDepotDto, CreatePlanDto } from './plan.dto';
import { PlanRepository } from './plan.repository';

const invalid = (message: string, errors: FieldError[]) => new BadRequestException({ statusCode: 400, error: 'Bad Request', message, errors });

/** Depots, the candidate catalogue and replacement plans. */
@Injectable()
export class PlanInputsService {
  constructor(
    private readonly repository: PlanRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  depots() {
    return this.repository.depots();
  }

  async createDepot(body: CreateDepotDto) {
    if (!(await this.repository.organizationExists(body.organizationId))) throw invalid('Invalid depot', [{ field: 'organizationId', message: `no organization ${body.organizationId}` }]);
    return this.repository.insertDepot(body);
  }

  candidates() {
    return this.repository.candidates();
  }

  createCandidate(body: CreateCandidateDto) {
    return this.repository.insertCandidate({ ...body, priceNok: body.priceNok ?? null, note: body.note ?? null });
  }

  plans() {
    return this.repository.plans();
  }

  async plan(id: string) {
    const plan = await this.repository.plan(id);
    if (!plan) throw new NotFoundException(`No plan ${id}`);
    return plan;
  }

  /**
   * A plan replaces fossil vehicles that are still in service in their month by candidates of
   * their class; every item is checked before anything is stored, and the plan is stored whole.
   */
  async createPlan(body: CreatePlanDto, createdBy: string) {
    const vehicles = new Map((await this.repository.vehicles([...new Set(body.items.map((i) => i.vehicleId))])).map((v) => [v.id, v]));
    const candidates = new Map((await this.repository.candidates()).map((c) => [c.id, c]));
    const errors: FieldError[] = [];
    const seen = new Map<string, number>();
    body.items.forEach((item, i) => {
      const field = `items.${i}`;
      const vehicle = vehicles.get(item.vehicleId);
      if (seen.has(item.vehicleId)) errors.push({ field: `${field}.vehicleId`, message: `already planned in items.${seen.get(item.vehicleId)}` });
      seen.set(item.vehicleId, i);
      if (!vehicle) return errors.push({ field: `${field}.vehicleId`, message: `no vehicle ${item.vehicleId}` });
      if (vehicle.inServiceTo !== null && vehicle.inServiceTo < `${item.month}-01`)
        errors.push({ field: `${field}.vehicleId`, message: `${vehicle.registration} is retired (in service to ${vehicle.inServiceTo}) before ${item.month}` });
      if (NON_FOSSIL_VEHICLE.has(vehicle.energyCarrier as VehicleCarrier))
        errors.push({ field: `${field}.vehicleId`, message: `${vehicle.registration} runs on ${vehicle.energyCarrier}: only fossil vehicles are replaced` });
      const candidate = candidates.get(item.candidateId);
      if (!candidate) errors.push({ field: `${field}.candidateId`, message: `no candidate ${item.candidateId}` });
      else if (candidate.vehicleClass !== vehicle.vehicleClass)
        errors.push({ field: `${field}.candidateId`, message: `${candidate.name} is a ${candidate.vehicleClass}, ${vehicle.registration} a ${vehicle.vehicleClass}` });
    });
    if (errors.length > 0) throw invalid('Invalid plan', errors);
    const id = await this.transactions.run((manager) => this.repository.insertPlan(manager, { name: body.name, createdBy, items: body.items }));
    return this.plan(id);
  }
}
