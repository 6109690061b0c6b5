import { Body, Delete, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { Roles } from '../../platform/access/roles.decorator';
import { CreateChargePointDto, UpdateChargePointDto } from './charge-point.dto';
import { ChargePointsService } from './charge-points.service';
import { ApiController } from '../../platform/http/api-controller';

/** Writes to the charge-point register. Reading charge points, with their live state, is the charging module's (GET /api/v1/chargepoints). */
@ApiController('registry', 'chargepoints')
export class ChargePointsController {
  constructor(private readonly chargePoints: ChargePointsService) {}

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
