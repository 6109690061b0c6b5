import { Body, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Roles } from '../../platform/access/roles.decorator';
import { SetOcppPasswordDto } from './charge-point.dto';
import { ChargePointsService } from './charge-points.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('registry')
export class OcppPasswordController {
  constructor(private readonly chargePoints: ChargePointsService) {}

  /**
   * Sets the charge point's OCPP password (security profile 1): the one given, or a generated one.
   * The password is in this answer only; the service keeps its hash. Setting it again rotates it:
   * new connections need the new one, open ones stay.
   */
  @Post('chargepoints/:id/ocpp-password')
  @Roles('admin')
  set(@Param('id', ParseUUIDPipe) id: string, @Body() input: SetOcppPasswordDto) {
    return this.chargePoints.setOcppPassword(id, input.password);
  }

  /** The same under the spelling OCPP tooling and the simulator use. */
  @Post('charge-points/:id/ocpp-password')
  @Roles('admin')
  setAlias(@Param('id', ParseUUIDPipe) id: string, @Body() input: SetOcppPasswordDto) {
    return this.set(id, input);
  }
}
