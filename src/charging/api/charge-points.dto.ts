import { IsISO8601 } from 'class-validator';

export class SessionsQuery {
  /** Sessions starting at or after (RFC 3339). */
  @IsISO8601({ strict: true })
  from: string;

  /** Sessions starting before (RFC 3339). */
  @IsISO8601({ strict: true })
  to: string;
}
