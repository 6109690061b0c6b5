import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DeviceProfile } from '../devices/device-profiles';
import { numericTransformer } from '../shared/numeric.transformer';

/** A charge point in a housing cooperative, usually paid for in part by a subsidy grant. */
@Entity({ name: 'charge_points' })
export class ChargePoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'subsidy_grant_id', type: 'uuid', nullable: true })
  subsidyGrantId: string | null;

  @Column({ type: 'text' })
  name: string;

  /** Number of connectors, numbered 1..n as in OCPP 1.6 (0 is the charge point as a whole). */
  @Column({ type: 'integer' })
  connectors: number;

  @Column({ name: 'max_kw', type: 'numeric', transformer: numericTransformer })
  maxKw: number;

  @Column({ name: 'commissioned_on', type: 'date' })
  commissionedOn: string;

  @Column({ name: 'device_id', type: 'text' })
  deviceId: string;

  /** The dialect the charge point publishes in: `klimaklok-v1` (the telemetry contract) or `evcc` (one loadpoint, one connector). */
  @Column({ type: 'text', default: 'klimaklok-v1' })
  profile: DeviceProfile;

  /** evcc: `<root>/<loadpoint>`; null for klimaklok-v1. */
  @Column({ name: 'profile_identity', type: 'text', nullable: true })
  profileIdentity: string | null;

  @Column({ type: 'text', default: 'mqtt' })
  protocol: 'mqtt' | 'ocpp';

  /** Salted scrypt hash of the OCPP password (see ocpp-password.ts); never read with the charge point. */
  @Column({ name: 'ocpp_password_hash', type: 'text', nullable: true, select: false })
  ocppPasswordHash?: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
