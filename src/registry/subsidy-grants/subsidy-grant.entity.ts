import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { numericTransformer } from '../shared/numeric.transformer';

/** A municipal subsidy towards a housing cooperative's charge points, followed up until `followUpEndsOn`. */
@Entity({ name: 'subsidy_grants' })
export class SubsidyGrant {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  reference: string;

  @Column({ name: 'granted_on', type: 'date' })
  grantedOn: string;

  @Column({ name: 'amount_nok', type: 'numeric', transformer: numericTransformer })
  amountNok: number;

  @Column({ name: 'charge_point_count', type: 'integer' })
  chargePointCount: number;

  @Column({ name: 'follow_up_ends_on', type: 'date' })
  followUpEndsOn: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
