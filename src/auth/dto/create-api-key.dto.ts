import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { API_ROLES, ApiRole } from '../../platform/access/role';

export class CreateApiKeyDto {
  /** What the key is for, e.g. "Climate office reporting". */
  @IsString()
  @Length(1, 200)
  name: string;

  @IsIn(API_ROLES)
  role: ApiRole;

  /** Required for `cooperative` keys, forbidden otherwise. */
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}
