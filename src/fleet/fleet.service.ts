import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AppConfig } from '../platform/config/app-config';
import { APP_CONFIG } from '../platform/config/config.module';
import { Principal } from '../platform/access/role';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { addDays } from '../platform/time/calendar';
import { localDay } from '../platform/time/local-time';
import { coverageOf, elapsedOf, inServiceSeconds } from '../platform/time/service-time';
import { ReportTable } from '../reports/export/report-file';
import { VehiclesService } from '../registry/vehicles/vehicles.service';
import { VehicleDailyRepository } from './daily/vehicle-daily.repository';
import { TripRepository } from './trips/trip.repository';
import { StatusEvents } from './state/status-events';
import { StatusChange } from './state/vehicle-state.repository';
import { ListFleetVehiclesQuery } from './api/fleet-vehicles.dto';
import { PositionRepository } from './map/position.repository';
import { FleetSummary, LiveVehicleScope, LiveVehiclesRepository } from './state/live-vehicles.repository';

const SEES_POSITIONS = new Set(['admin', 'fleet_manager']);

@Injectable()
export class FleetService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vehicles: VehiclesService,
    private readonly days: VehicleDailyRepository,
    private readonly trips: TripRepository,
    private readonly transactions: TransactionRunner,
    private readonly events: StatusEvents,
    private readonly positions: PositionRepository,
    private readonly live: LiveVehiclesRepository,
  ) {}

  async listVehicles(query: ListFleetVehiclesQuery, principal: Principal) {
    const { limit, offset, ...filter } = query;
    const page = await this.live.list(filter, this.liveScope(principal), limit, offset);
    return { ...page, limit, offset };
  }

  async vehicle(id: string, principal: Principal) {
    const [row] = (await this.live.list({ id }, this.liveScope(principal), 1, 0)).items;
    if (!row) throw new NotFoundException(`No vehicle ${id}`);
    if (!row.state || !SEES_POSITIONS.has(principal.role)) return row;
    // The depot its last position lies in, and since when (positions: fleet managers and admins only).
    return { ...row, state: { ...row.state, atDepot: await this.positions.depotStay(id, this.positionHorizon()) } };
  }

  /**
   * The vehicle's daily rollups with coverage (reports-v1 amendment 1.1): per day and for the
   * period, the in-service time within odometer intervals no longer than MAX_COUNTER_GAP over the
   * in-service time that has elapsed; the long intervals reaching into the period as flags.
   */
  async daily(id: string, from: string, to: string) {
    if (from >= to) throw new BadRequestException('from must be before to');
    const vehicle = await this.vehicles.findOne(id);
    const timeZone = this.config.reportTimeZone;
    const [rows, gaps] = await this.transactions.run((manager) => Promise.all([this.days.list(manager, id, from, to), this.days.gaps(manager, id, from, to, timeZone)]));
    const now = new Date();
    const days = rows.map((day) => {
      const seconds = inServiceSeconds(vehicle, day.day, addDays(day.day, 1), now, timeZone);
      return { ...day, coverage: seconds > 0 ? coverageOf(day.coveredSeconds, seconds) : null };
    });
    const inService = inServiceSeconds(vehicle, from, to, now, timeZone);
    const covered = rows.filter((day) => day.day >= vehicle.inServiceFrom && (vehicle.inServiceTo === null || day.day <= vehicle.inServiceTo)).reduce((sum, day) => sum + day.coveredSeconds, 0);
    const maxGapDays = this.config.worker.maxCounterGapMs / 86_400_000;
    const counterGaps = gaps.map((gap) => ({ counter: gap.counter, from: new Date(gap.from).toISOString(), to: new Date(gap.to).toISOString(), quantity: Number(gap.counted), kind: gap.kind }));
    return {
      vehicleId: id,
      registration: vehicle.registration,
      timeZone,
      from,
      to,
      ...elapsedOf(from, to, now, timeZone),
      days,
      total: {
        distanceKm: rows.reduce((sum, day) => sum + (day.distanceKm ?? 0), 0),
        modelledDistanceKm: rows.reduce((sum, day) => sum + day.modelledDistanceKm, 0),
        inServiceHours: inService / 3600,
        coverage: coverageOf(covered, inService),
      },
      counterGaps,
      flags: counterGaps.map(
        (gap) =>
          `${vehicle.registration}: ${gap.counter} interval over MAX_COUNTER_GAP (${maxGapDays} days) from ${gap.from} to ${gap.to}: ` +
          (gap.kind === 'ok' ? `${Math.round(gap.quantity * 10) / 10} ${COUNTER_UNIT[gap.counter] ?? ''}, spread over its days as modelled` : `its ${gap.kind} delta counted as 0`),
      ),
    };
  }

  /** Trips starting in [from, to); positions only for roles that may see them. */
  async tripsOf(id: string, from: Date, to: Date, principal: Principal) {
    await this.vehicles.findOne(id);
    const trips = await this.transactions.run((manager) => this.trips.list(manager, id, from, to));
    const items = SEES_POSITIONS.has(principal.role) ? trips : trips.map(({ start: _start, end: _end, ...trip }) => trip);
    return { vehicleId: id, from, to, items };
  }

  summary(): Promise<FleetSummary> {
    return this.live.summary(this.today());
  }

  statusChanges(): Observable<StatusChange> {
    return this.events.stream();
  }

  /** Positions are personal data: only fleet managers and admins see them, and none older than POSITION_RETENTION_DAYS. */
  private liveScope(principal: Principal): LiveVehicleScope {
    return { today: this.today(), positionsSince: SEES_POSITIONS.has(principal.role) ? this.positionHorizon() : null };
  }

  private positionHorizon(): Date {
    return new Date(Date.now() - this.config.worker.positionRetentionDays * 86_400_000);
  }

  /** The local date of the service dates (`inServiceTo` is a vehicle's last day in service). */
  private today(): string {
    return localDay(new Date(), this.config.reportTimeZone);
  }
}

const COUNTER_UNIT: Record<string, string> = { odometer: 'km', fuel: 'L', gas: 'kg', charged: 'kWh', consumed: 'kWh' };

/** The daily report as a file: one row per day and a last row `total`; flags and coverage on the `about` sheet too. */
export function dailyTable(report: Awaited<ReturnType<FleetService['daily']>>): ReportTable {
  const columns = [
    'day',
    'distanceKm',
    'modelledDistanceKm',
    'drivingSeconds',
    'fuelUsedL',
    'gasUsedKg',
    'energyChargedKwh',
    'energyConsumedKwh',
    'sampleCount',
    'resetCount',
    'implausibleCount',
    'longGapCount',
    'coveredSeconds',
    'coverage',
  ].map((key) => ({ key }));
  return {
    name: `vehicle-daily-${report.registration}-${report.from}-${report.to}`,
    columns: [...columns, { key: 'flags' }],
    rows: [...report.days, { day: 'total', ...report.total, flags: report.flags.join('; ') }],
    about: {
      vehicleId: report.vehicleId,
      registration: report.registration,
      timeZone: report.timeZone,
      from: report.from,
      to: report.to,
      periodEndsAt: report.periodEndsAt,
      elapsedHours: report.elapsedHours,
      coverage: report.total.coverage,
      flags: report.flags.join('; ') || null,
    },
  };
}
