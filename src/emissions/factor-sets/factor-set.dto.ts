import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { CARRIERS, Carrier } from '../domain/carriers';
import { GRID_METHODS, GridMethod, VEHICLE_CLASSES, VehicleClass } from '../domain/factor-set';
import { PublishSetDto } from '../published-sets';

const finite = { allowNaN: false, allowInfinity: false };

/** Where a figure comes from: every factor record and consumption figure says so. */
class SourcedFigureDto {
  @IsString()
  @Length(1, 1000)
  source: string;

  /** For unconfirmed figures: what is uncertain. */
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  note?: string | null;
}

export class FactorRecordDto extends SourcedFigureDto {
  @IsIn(CARRIERS)
  carrier: Carrier;

  @IsInt()
  @Min(1990)
  @Max(2100)
  year: number;

  @IsNumber(finite)
  @Min(0)
  ttwKgPerUnit: number;

  /** Null when the set has no well-to-tank figure (figures using it are flagged). */
  @ValidateIf((_, value) => value !== null)
  @IsNumber(finite)
  @Min(0)
  wttKgPerUnit: number | null;

  @IsNumber(finite)
  @Min(0)
  biogenicKgPerUnit: number;

  /** Electricity only, and required for it. */
  @IsOptional()
  @IsIn(GRID_METHODS)
  gridMethod?: GridMethod | null;

  /** kWh per unit, to weigh the data-quality shares; optional. */
  @IsOptional()
  @IsNumber(finite)
  @Min(0.000001)
  energyKwhPerUnit?: number | null;
}

export class ClassConsumptionDto extends SourcedFigureDto {
  @IsIn(VEHICLE_CLASSES)
  vehicleClass: VehicleClass;

  @IsIn(CARRIERS)
  carrier: Carrier;

  @IsNumber(finite)
  @Min(0.000001)
  perKm: number;

  /** The class's fossil reference vehicle (at most one per class). */
  @IsBoolean()
  reference: boolean;
}

/** A complete factor set: it replaces nothing, reports choose it by version (default: the newest). */
export class PublishFactorSetDto extends PublishSetDto {
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => FactorRecordDto)
  factors: FactorRecordDto[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClassConsumptionDto)
  consumption: ClassConsumptionDto[];
}
