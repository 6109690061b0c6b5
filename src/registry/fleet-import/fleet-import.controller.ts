import { BadRequestException, Body, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { Roles } from '../../platform/access/roles.decorator';
import { FleetFileError, parseFleetFile } from './fleet-file';
import { FleetImportService } from './fleet-import.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('registry', 'imports')
export class FleetImportController {
  constructor(private readonly fleetImport: FleetImportService) {}

  /**
   * Imports a fleet file (JSON, or YAML sent as application/yaml). Idempotent: rows are matched
   * on organization number, grant reference, registration and device id. Answers per row.
   */
  @Post('fleet')
  @HttpCode(200)
  @Roles('admin')
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBody({ schema: { type: 'object', description: 'sections organizations, subsidyGrants, vehicles, chargePoints' } })
  async importFleet(@Body() body: unknown) {
    try {
      return await this.fleetImport.import(parseFleetFile(body));
    } catch (error) {
      if (error instanceof FleetFileError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
