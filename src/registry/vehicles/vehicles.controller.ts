import { Body, Delete, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { Roles } from '../../platform/access/roles.decorator';
import { CreateVehicleDto, UpdateVehicleDto } from './vehicle.dto';
import { VehiclesService } from './vehicles.service';
import { ApiController } from '../../platform/http/api-controller';

/** Writes to the vehicle register. Reading vehicles, with their live state, is the fleet module's (GET /api/v1/vehicles). */
@ApiController('registry', 'vehicles')
export class VehiclesController {
  constructor(private readonly vehicles: VehiclesService) {}

  @Post()
  @Roles('admin', 'fleet_manager')
  create(@Body() input: CreateVehicleDto) {
    return this.vehicles.create(input);
  }

  @Patch(':id')
  @Roles('admin', 'fleet_manager')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() input: UpdateVehicleDto) {
    return this.vehicles.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin', 'fleet_manager')
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.vehicles.remove(id);
  }
}
