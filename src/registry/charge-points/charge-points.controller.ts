import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Principal } from '../../platform/access/role';
import { CurrentPrincipal, Roles } from '../../platform/access/roles.decorator';
import { CreateChargePointDto, ListChargePointsQuery, UpdateChargePointDto } from './charge-point.dto';
import { ChargePointsService } from './charge-points.service';

@ApiTags('registry')
@ApiBearerAuth()
@Controller('api/v1/chargepoints')
export class ChargePointsController {
  constructor(private readonly chargePoints: ChargePointsService) {}

  @Get()
  @Roles('admin', 'climate_office', 'cooperative')
  list(@Query() query: ListChargePointsQuery, @CurrentPrincipal() principal: Principal) {
    return this.chargePoints.list(query, principal);
  }

  @Get(':id')
  @Roles('admin', 'climate_office', 'cooperative')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.chargePoints.findOne(id, principal);
  }

  @Post()
  @Roles('admin')
  create(@Body() input: CreateChargePointDto) {
    return this.chargePoints.create(input);
  }

  @Patch(':id')
  @Roles('admin')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() input: UpdateChargePointDto) {
    return this.chargePoints.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.chargePoints.remove(id);
  }
}
