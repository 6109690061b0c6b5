import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { LocalDayRange } from '../../platform/time/day-ranges';
import { localDay } from '../../platform/time/local-time';
import { ChargingDerivationRepository } from '../derivation/charging-derivation.repository';

/**
 * Re-derives one charge point around a range of local days: the sessions that data in those days
 * can change (starting up to a session timeout before, or linked by transaction id), then the
 * availability and daily rollups of every day those sessions, the statuses and connection events
 * reach, then the live state. Idempotent; runs under a per-charge-point lock.
 */
@Injectable()
export class ChargePointDerivationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly derivation: ChargingDerivationRepository,
  ) {}

  async derive(chargePointId: string, days: LocalDayRange): Promise<void> {
    const { sessionTimeoutMs, heartbeatMs } = this.config.charging;
    const timeZone = this.config.reportTimeZone;
    await this.transactions.run(async (manager) => {
      await this.derivation.lockChargePoint(manager, chargePointId);
      // A job may outlive its charge point (deleted meanwhile): nothing left to derive.
      if (!(await this.derivation.exists(manager, chargePointId))) return;
      const span = await this.derivation.span(manager, chargePointId, days, timeZone, sessionTimeoutMs / 1000);
      const latestEnd = await this.derivation.deriveSessions(manager, chargePointId, span.sessionsFrom, span.sessionsTo, sessionTimeoutMs / 1000);
      const reach = await this.derivation.forwardReach(manager, chargePointId, span.windowStart, span.windowEnd);
      const ends = [span.windowEnd.getTime() + sessionTimeoutMs, latestEnd?.getTime() ?? 0, reach?.getTime() ?? 0];
      // Never into the future: days after now have no data (today is re-derived by the next job).
      const until = Math.min(Math.max(...ends) + heartbeatMs, Date.now() + 86_400_000);
      const from = span.sessionsFrom.getTime() - heartbeatMs;
      const reached = new LocalDayRange(localDay(from, timeZone), localDay(until, timeZone));
      await this.derivation.deriveDays(manager, chargePointId, reached, timeZone, heartbeatMs / 1000, sessionTimeoutMs / 1000);
      await this.derivation.deriveLiveState(manager, chargePointId);
    });
  }
}
