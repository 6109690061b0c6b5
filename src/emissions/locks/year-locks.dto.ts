import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { IsYear } from '../../platform/validation/validators';

export class RecomputeYearDto {
  /** Factor set for the new revision; default the newest. */
  @IsOptional()
  @IsInt()
  @Min(1)
  factorSet?: number;

  /** Why the year is (re)locked, kept with the revision. */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class LockYearDto extends RecomputeYearDto {
  @IsYear()
  year: number;
}
