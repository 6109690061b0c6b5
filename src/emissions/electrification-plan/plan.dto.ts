import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsNumber, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { FactorQuery } from '../reports/emission-report.dto';
import { DATE_PATTERN } from '../../platform/validation/validators';
import { VEHICLE_CLASSES, VehicleClass } from '../domain/factor-set';

const finite = { allowNaN: false, allowInfinity: false };

export class CreateDepotDto {
  @IsUUID()
  organizationId: string;

  @IsString()
  @Length(1, 200)
  name: string;

  @IsNumber(finite)
  @Min(-90)
  @Max(90)
  lat: number;

  @IsNumber(finite)
  @Min(-180)
  @Max(180)
  lon: number;

  @IsNumber(finite)
  @Min(1)
  @Max(100_000)
  radiusM: number;

  /** Power of the depot's chargers per vehicle. */
  @IsNumber(finite)
  @Min(0.1)
  @Max(1000)
  chargerKw: number;
}

export class CreateCandidateDto {
  @IsIn(VEHICLE_CLASSES)
  vehicleClass: VehicleClass;

  @IsString()
  @Length(1, 200)
  name: string;

  @IsNumber(finite)
  @Min(1)
  wltpRangeKm: number;

  /** Energy charged from the grid per km (charging losses included). */
  @IsNumber(finite)
  @Min(0.01)
  kwhPerKm: number;

  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  priceNok?: number | null;

  @IsOptional()
  @IsString()
  @Length(1, 1000)
  note?: string | null;
}

export class PlanItemDto {
  @IsUUID()
  vehicleId: string;

  /** First month the candidate replaces the vehicle (YYYY-MM). */
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '$property must be a month YYYY-MM' })
  month: string;

  @IsUUID()
  candidateId: string;
}

export class CreatePlanDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => PlanItemDto)
  items: PlanItemDto[];
}

export class ElectrificationPlanQuery extends FactorQuery {
  /** The 12 months before this day are assessed; default today. */
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'asOf must be a date YYYY-MM-DD' })
  asOf?: string;

  /** Winter range = WLTP range x winterFactor. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber(finite, { message: 'winterFactor must be a number' })
  @Min(0.1)
  @Max(1)
  winterFactor?: number;

  /** Years of the cost comparison. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber(finite, { message: 'years must be a number' })
  @Min(1)
  @Max(30)
  years?: number;

  @IsOptional()
  @Type(() => Number)
  @IsNumber(finite, { message: 'petrolNokPerL must be a number' })
  @Min(0)
  petrolNokPerL?: number;

  @IsOptional()
  @Type(() => Number)
  @IsNumber(finite, { message: 'dieselNokPerL must be a number' })
  @Min(0)
  dieselNokPerL?: number;

  @IsOptional()
  @Type(() => Number)
  @IsNumber(finite, { message: 'electricityNokPerKwh must be a number' })
  @Min(0)
  electricityNokPerKwh?: number;
}
