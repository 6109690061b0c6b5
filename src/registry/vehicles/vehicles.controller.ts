import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../platform/access/roles.decorator';
import { CreateVehicleDto, ListVehiclesQuery, UpdateVehicleDto } from './vehicle.dto';
import { VehiclesService } from './vehicles.service';

@ApiTags('registry')
@ApiBearerAuth()
@Controller('api/v1/vehicles')
export class VehiclesController {
  constructor(private readonly vehicles: VehiclesService) {}

  @Get()
  @Roles('admin', 'fleet_manager', 'climate_office')
  list(@Query() query: ListVehiclesQuery) {
    return this.vehicles.list(query);
  }

  @Get(':id')
  @Roles('admin', 'fleet_manager', 'climate_office')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.vehicles.findOne(id);
  }

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
