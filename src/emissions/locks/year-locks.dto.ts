import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

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
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;
}
