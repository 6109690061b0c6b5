import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { profileProblem } from '../devices/device-profiles';
import { OrganizationsService } from '../organizations/organizations.service';
import { invalidField } from '../shared/errors';
import { CreateVehicleDto, ListVehiclesQuery, UpdateVehicleDto } from './vehicle.dto';
import { Vehicle } from './vehicle.entity';
import { VehicleRepository } from './vehicle.repository';

@Injectable()
export class VehiclesService {
  constructor(
    private readonly vehicles: VehicleRepository,
    private readonly organizations: OrganizationsService,
  ) {}

  async findOne(id: string, manager?: EntityManager): Promise<Vehicle> {
    const vehicle = await this.vehicles.findById(id, manager);
    if (!vehicle) throw new NotFoundException(`No vehicle ${id}`);
    return vehicle;
  }

  findByRegistration(registration: string, manager?: EntityManager): Promise<Vehicle | null> {
    return this.vehicles.findOneBy({ registration }, manager);
  }

  /** Every vehicle matching the filter, unpaged (a municipal fleet is thousands of vehicles at most). */
  async listAll(filter: Omit<ListVehiclesQuery, 'limit' | 'offset'>): Promise<Vehicle[]> {
    return (await this.vehicles.list(filter, 100_000, 0)).items;
  }

  async create(input: CreateVehicleDto, manager?: EntityManager): Promise<Vehicle> {
    await this.checkRelations(input, undefined, manager);
    return this.vehicles.insert(input, manager);
  }

  async update(id: string, input: UpdateVehicleDto, manager?: EntityManager): Promise<Vehicle> {
    const current = await this.findOne(id, manager);
    await this.checkRelations({ ...current, ...input }, id, manager);
    return this.vehicles.update(id, input, manager);
  }

  async remove(id: string): Promise<void> {
    await this.findOne(id);
    await this.vehicles.delete(id);
  }

  private async checkRelations(vehicle: CreateVehicleDto, id: string | undefined, manager?: EntityManager) {
    if (vehicle.inServiceTo && vehicle.inServiceTo < vehicle.inServiceFrom) {
      throw invalidField('inServiceTo', 'must not be before inServiceFrom');
    }
    if (((vehicle.referenceCarrier ?? null) === null) !== ((vehicle.referenceConsumptionPerKm ?? null) === null)) {
      throw invalidField('referenceConsumptionPerKm', 'referenceCarrier and referenceConsumptionPerKm go together');
    }
    const profile = profileProblem(vehicle, 'vehicle');
    if (profile) throw invalidField(profile.field, profile.message);
    await this.organizations.requireKind(vehicle.departmentId, 'municipal_department', 'departmentId', manager);
    if (vehicle.replacesVehicleId) {
      if (vehicle.replacesVehicleId === id) throw invalidField('replacesVehicleId', 'a vehicle cannot replace itself');
      if (!(await this.vehicles.findById(vehicle.replacesVehicleId, manager))) {
        throw invalidField('replacesVehicleId', `no vehicle ${vehicle.replacesVehicleId}`);
      }
    }
  }
}
