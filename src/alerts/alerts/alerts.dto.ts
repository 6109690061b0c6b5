import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../../platform/http/page';
import { AlertState } from './alert.repository';

export class ListAlertsQuery extends PageQuery {
  /** open (default), resolved (the history) or all. */
  @IsOptional()
  @IsIn(['open', 'resolved', 'all'])
  state: AlertState = 'open';

  @IsOptional()
  @IsUUID()
  ruleId?: string;
}

export class AcknowledgeAlertDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
