import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsPositive, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { DEVICE_PROFILES, DeviceProfile } from '../devices/device-profiles';
import { PageQuery } from '../../platform/http/page';
import { IsDateOnly, IsDeviceId, NormalizeDate } from '../../platform/validation/validators';

export const CHARGE_POINT_PROTOCOLS = ['mqtt', 'ocpp'] as const;
export type ChargePointProtocol = (typeof CHARGE_POINT_PROTOCOLS)[number];

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
  @IsString()
  profileIdentity?: string | null;

  /** How it reports: MQTT (telemetry-v1) or OCPP 1.6J to the `ocpp` role (ocpp-1.6j); `mqtt` when left out on creation. */
  @ApiPropertyOptional({ enum: CHARGE_POINT_PROTOCOLS, default: 'mqtt' })
  @IsOptional()
  @IsIn(CHARGE_POINT_PROTOCOLS)
  protocol?: ChargePointProtocol;
}

export class SetOcppPasswordDto {
  /** A chosen password; without one the service generates a random one. */
  @ApiPropertyOptional({ minLength: 16, maxLength: 128 })
  @IsOptional()
  @IsString()
  @Length(16, 128)
  password?: string;
}

export class CreateChargePointDto extends ChargePointFields {
  /** The housing cooperative that owns it. */
  @IsUUID()
  organizationId: string;

  /** The grant that paid towards it; must belong to the same cooperative. */
  @IsOptional()
  @IsUUID()
  subsidyGrantId?: string | null;
}

export class UpdateChargePointDto extends PartialType(CreateChargePointDto) {}

export class ListChargePointsQuery extends PageQuery {
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}
