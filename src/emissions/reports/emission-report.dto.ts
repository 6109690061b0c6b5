import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ReportFormatQuery } from '../../reports/export/report-format.dto';
import { DATE_PATTERN } from '../../platform/validation/validators';
import { BOUNDARIES, Boundary, GRID_METHODS, GridMethod, VEHICLE_CLASSES, VehicleClass } from '../domain/factor-set';

export const GROUP_BYS = ['vehicleClass', 'vehicle', 'carrier', 'department', 'month'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** Boundary, grid method and factor set: every emission report takes them and states them. */
export class FactorQuery extends ReportFormatQuery {
  @IsOptional()
  @IsIn(BOUNDARIES, { message: `boundary must be one of ${BOUNDARIES.join(', ')}` })
  boundary?: Boundary;

  @IsOptional()
  @IsIn(GRID_METHODS, { message: `gridMethod must be one of ${GRID_METHODS.join(', ')}` })
  gridMethod?: GridMethod;

  /** Factor set version; default the newest. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'factorSet must be a factor set version (a whole number)' })
  @Min(1)
  factorSet?: number;
}

export class EmissionsReportQuery extends FactorQuery {
  /** First day, inclusive (YYYY-MM-DD, reporting time zone). */
  @Matches(DATE_PATTERN, { message: 'from must be a date YYYY-MM-DD' })
  from: string;

  /** Day after the last, exclusive. */
  @Matches(DATE_PATTERN, { message: 'to must be a date YYYY-MM-DD' })
  to: string;

  @IsOptional()
  @IsIn(GROUP_BYS, { message: `groupBy must be one of ${GROUP_BYS.join(', ')}` })
  groupBy?: GroupBy;
}

export class ChangeReportQuery extends FactorQuery {
  @Type(() => Number)
  @IsInt({ message: 'baseYear must be a year' })
  @Min(2000)
  @Max(2100)
  baseYear: number;

  @Type(() => Number)
  @IsInt({ message: 'year must be a year' })
  @Min(2000)
  @Max(2100)
  year: number;

  /** The group; the whole fleet when omitted. */
  @IsOptional()
  @IsIn(VEHICLE_CLASSES, { message: `vehicleClass must be one of ${VEHICLE_CLASSES.join(', ')}` })
  vehicleClass?: VehicleClass;
}

export class FleetKpisQuery extends FactorQuery {
  @Type(() => Number)
  @IsInt({ message: 'year must be a year' })
  @Min(2000)
  @Max(2100)
  year: number;
}
