import { PartialType } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { PageQuery } from '../../platform/http/page';
import { IsDateOnly, NormalizeDate } from '../../platform/validation/validators';

export class SubsidyGrantFields {
  /** The municipality's case reference, unique. */
  @IsString()
  @Length(1, 64)
  reference: string;

  @NormalizeDate()
  @IsDateOnly()
  grantedOn: string;

  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(1e9)
  amountNok: number;

  /** How many charge points the grant covers. */
  @IsInt()
  @Min(1)
  @Max(10000)
  chargePointCount: number;

  @NormalizeDate()
  @IsDateOnly()
  followUpEndsOn: string;
}

export class CreateSubsidyGrantDto extends SubsidyGrantFields {
  /** The housing cooperative that received the grant. */
  @IsUUID()
  organizationId: string;
}

export class UpdateSubsidyGrantDto extends PartialType(CreateSubsidyGrantDto) {}

export class ListSubsidyGrantsQuery extends PageQuery {
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}
