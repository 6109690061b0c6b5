import { PartialType } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsPositive, IsString, IsUUID, Length, Max, Min, ValidateIf } from 'class-validator';
import { PageQuery } from '../shared/page';
import { IsDateOnly, IsDeviceId, NormalizeDate } from '../shared/validators';

export class ChargePointFields {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsInt()
  @Min(1)
  @Max(32)
  connectors: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1000)
  maxKw: number;

  @NormalizeDate()
  @IsDateOnly()
  commissionedOn: string;

  @IsDeviceId()
  deviceId: string;
}

export class CreateChargePointDto extends ChargePointFields {
  /** The housing cooperative that owns it. */
  @IsUUID()
  organizationId: string;

  /** The grant that paid towards it; must belong to the same cooperative. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  subsidyGrantId?: string | null;
}

export class UpdateChargePointDto extends PartialType(CreateChargePointDto) {}

export class ListChargePointsQuery extends PageQuery {
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}
