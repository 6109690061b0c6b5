import { BadRequestException, Body, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { Roles } from '../../platform/access/roles.decorator';
import { FuelFileError } from './fuel-file';
import { FuelImportService } from './fuel-import.service';
import { ApiController } from '../../platform/http/api-controller';

@ApiController('emissions', 'imports')
export class FuelImportController {
  constructor(private readonly fuelImport: FuelImportService) {}

  /**
   * Imports a fuel-card CSV export (Content-Type text/csv): transaction id, date-time,
   * registration, product, quantity, unit. Answers per row: imported, duplicate or rejected with
   * its faults; 400 only for a file that is not such an export at all.
   */
  @Post('fuel-transactions')
  @HttpCode(200)
  @Roles('admin', 'fleet_manager')
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'transaction_id,date_time,registration,product,quantity,unit\nT1,2019-03-04 07:45,AB12345,diesel,41.5,L' } })
  async importFuel(@Body() body: unknown) {
    if (typeof body !== 'string') throw new BadRequestException('Send the fuel-card file as text/csv');
    try {
      return await this.fuelImport.import(body);
    } catch (error) {
      if (error instanceof FuelFileError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
