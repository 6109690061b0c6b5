import { PartialType } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageQuery } from '../../platform/http/page';
import { IsOrgNumber, NormalizeOrgNumber } from '../../platform/validation/validators';
import { ORGANIZATION_KINDS, OrganizationKind } from './organization.entity';

export class CreateOrganizationDto {
  /** Norwegian organization number, 9 digits with a valid check digit. */
  @NormalizeOrgNumber()
  @IsOrgNumber()
  orgNumber: string;

  @IsString()
  @Length(1, 200)
  name: string;

  @IsIn(ORGANIZATION_KINDS)
  kind: OrganizationKind;

  /** Where the organization's scheduled deliveries are mailed. */
  @IsOptional()
  @IsEmail()
  contactEmail?: string | null;
}

export class UpdateOrganizationDto extends PartialType(CreateOrganizationDto) {}

export class ListOrganizationsQuery extends PageQuery {
  @IsOptional()
  @IsIn(ORGANIZATION_KINDS)
  kind?: OrganizationKind;
}
