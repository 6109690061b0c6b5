import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsPositive, IsUUID, Length, Max, Min, ValidateIf } from 'class-validator';
import { DEVICE_PROFILES, DeviceProfile } from '../devices/device-profiles';
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

  /** The dialect the device publishes in (see shared/spec/device-profiles.md); default klimaklok-v1. */
  @ApiPropertyOptional({ enum: DEVICE_PROFILES, default: 'klimaklok-v1', description: 'The dialect the device publishes in; klimaklok-v1 is the telemetry contract.' })
  @IsOptional()
  @IsIn(DEVICE_PROFILES)
  profile?: DeviceProfile;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'evcc: <root>/<loadpoint number> (root default evcc), for a charge point with one connector. Null for klimaklok-v1.' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  profileIdentity?: string | null;
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
