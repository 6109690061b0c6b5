import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsPositive, IsString, IsUUID, Matches, Max } from 'class-validator';
import { DEVICE_PROFILES, DeviceProfile } from '../devices/device-profiles';
import { PageQuery } from '../../platform/http/page';
import { IsDateOnly, IsDeviceId, NormalizeDate, NormalizeRegistration } from '../../platform/validation/validators';
import { ENERGY_CARRIERS, REFERENCE_CARRIERS, ReferenceCarrier, VEHICLE_CLASSES, VehicleClass, VehicleEnergyCarrier } from './vehicle.entity';

/** Vehicle fields that do not refer to other records; shared by the API and the fleet import. */
export class VehicleFields {
  /** Registration plate; spaces and dashes are dropped and letters capitalised. */
  @NormalizeRegistration()
  @IsString()
  @Matches(/^[A-Z0-9]{2,12}$/, { message: 'registration must be 2-12 letters and digits' })
  registration: string;

  @IsOptional()
  @Matches(/^[A-HJ-NPR-Z0-9]{17}$/, { message: 'vin must be 17 characters, letters other than I, O, Q and digits' })
  vin?: string | null;

  @IsIn(VEHICLE_CLASSES)
  vehicleClass: VehicleClass;

  @IsIn(ENERGY_CARRIERS)
  energyCarrier: VehicleEnergyCarrier;

  @NormalizeDate()
  @IsDateOnly()
  inServiceFrom: string;

  @IsOptional()
  @NormalizeDate()
  @IsDateOnly()
  inServiceTo?: string | null;

  /** Per km in the carrier's unit: L for petrol, diesel and HVO, kg for biogas and CNG, kWh for electricity. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  nominalConsumptionPerKm?: number | null;

  @IsOptional()
  @IsDeviceId()
  deviceId?: string | null;

  /** The dialect the device publishes in (see shared/spec/device-profiles.md); default klimaklok-v1. */
  @ApiPropertyOptional({ enum: DEVICE_PROFILES, default: 'klimaklok-v1', description: 'The dialect the device publishes in; klimaklok-v1 is the telemetry contract.' })
  @IsOptional()
  @IsIn(DEVICE_PROFILES)
  profile?: DeviceProfile;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'The identity the publisher uses: ovms-v3 <user>/<vehicleId>, teslamate [<namespace>/]<carId>, owntracks <user>/<device>, teltonika-json the IMEI. Required for those profiles, null for klimaklok-v1.',
  })
  @IsOptional()
  @IsString()
  profileIdentity?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'ovms-v3: the topic prefix if not ovms/<user>/<vehicleId>/; teltonika-json: the topic if not <imei>/data.' })
  @IsOptional()
  @IsString()
  profileTopic?: string | null;

  /** Share of charged energy that reaches the battery (0 < x <= 1); default 0.90 in the figures. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1)
  chargingEfficiency?: number | null;

  /** The vehicle's own fossil reference for baselines, with referenceConsumptionPerKm; else its class's. */
  @IsOptional()
  @IsIn(REFERENCE_CARRIERS)
  referenceCarrier?: ReferenceCarrier | null;

  /** Per km in the reference fuel's unit: L (petrol, diesel) or kg (CNG). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  referenceConsumptionPerKm?: number | null;
}

export class CreateVehicleDto extends VehicleFields {
  /** A municipal department. */
  @IsUUID()
  departmentId: string;

  /** The vehicle this one replaced in the fleet. */
  @IsOptional()
  @IsUUID()
  replacesVehicleId?: string | null;
}

export class UpdateVehicleDto extends PartialType(CreateVehicleDto) {}

export class ListVehiclesQuery extends PageQuery {
  @IsOptional()
  @IsIn(VEHICLE_CLASSES)
  vehicleClass?: VehicleClass;

  @IsOptional()
  @IsIn(ENERGY_CARRIERS)
  energyCarrier?: VehicleEnergyCarrier;

  @IsOptional()
  @IsUUID()
  departmentId?: string;
}
