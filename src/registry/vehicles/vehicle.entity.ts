import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DeviceProfile } from '../devices/device-profiles';
import { numericTransformer } from '../shared/numeric.transformer';

export const VEHICLE_CLASSES = ['passenger_car', 'van', 'truck', 'other'] as const;
export type VehicleClass = (typeof VEHICLE_CLASSES)[number];

export const ENERGY_CARRIERS = ['electricity', 'petrol', 'diesel', 'hvo', 'biogas', 'cng', 'hydrogen', 'plugin_hybrid'] as const;
export type VehicleEnergyCarrier = (typeof ENERGY_CARRIERS)[number];

/** Fuels a fossil reference vehicle may burn (baselines of non-fossil vehicles). */
export const REFERENCE_CARRIERS = ['petrol', 'diesel', 'cng'] as const;
export type ReferenceCarrier = (typeof REFERENCE_CARRIERS)[number];

@Entity({ name: 'vehicles' })
export class Vehicle {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  registration: string;

  @Column({ type: 'text', nullable: true })
  vin: string | null;

  @Column({ name: 'vehicle_class', type: 'text' })
  vehicleClass: VehicleClass;

  @Column({ name: 'energy_carrier', type: 'text' })
  energyCarrier: VehicleEnergyCarrier;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  @Column({ name: 'in_service_from', type: 'date' })
  inServiceFrom: string;

  @Column({ name: 'in_service_to', type: 'date', nullable: true })
  inServiceTo: string | null;

  /** Per km, in the unit of the carrier: L (liquid fuels), kg (gases), kWh (electricity). */
  @Column({ name: 'nominal_consumption_per_km', type: 'numeric', nullable: true, transformer: numericTransformer })
  nominalConsumptionPerKm: number | null;

  /** Share of charged energy that reaches the battery, for `modelled` energy (reports-v1; null: 0.90). */
  @Column({ name: 'charging_efficiency', type: 'numeric', nullable: true, transformer: numericTransformer })
  chargingEfficiency: number | null;

  /** The vehicle's own fossil reference for its baseline (else its class's in the factor set). */
  @Column({ name: 'reference_carrier', type: 'text', nullable: true })
  referenceCarrier: ReferenceCarrier | null;

  /** Consumption of the own reference per km: L (petrol, diesel) or kg (CNG). */
  @Column({ name: 'reference_consumption_per_km', type: 'numeric', nullable: true, transformer: numericTransformer })
  referenceConsumptionPerKm: number | null;

  @Column({ name: 'replaces_vehicle_id', type: 'uuid', nullable: true })
  replacesVehicleId: string | null;

  @Column({ name: 'device_id', type: 'text', nullable: true })
  deviceId: string | null;

  /** The dialect the vehicle publishes in (device-profiles.md); `klimaklok-v1` is the telemetry contract. */
  @Column({ type: 'text', default: 'klimaklok-v1' })
  profile: DeviceProfile;

  /** The identity the publisher uses in its own topics; null for klimaklok-v1. */
  @Column({ name: 'profile_identity', type: 'text', nullable: true })
  profileIdentity: string | null;

  /** The publisher's own topic setting where it differs from the profile's default (OVMS prefix, Teltonika topic). */
  @Column({ name: 'profile_topic', type: 'text', nullable: true })
  profileTopic: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
