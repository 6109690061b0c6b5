import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { Principal } from '../../platform/access/role';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { addDays } from '../../platform/time/calendar';
import { OrganizationsService } from '../../registry/organizations/organizations.service';
import { ReportColumn, ReportTable } from '../../reports/export/report-file';
import { ChargePointOfRow, ChargingUsageRepository, UsageFigures } from './charging-usage.repository';
import { ENABLED_AVOIDED_FACTORS, EnabledAvoidedFactors, EnabledAvoidedYearFactors } from './enabled-avoided-factors';

const SILENT_FLAG_SECONDS = 7 * 86_400;
const AVAILABILITY_FLAG_PCT = 90;

export interface ChargePointUsage extends ChargePointOfRow {
  sessions: number;
  importedSessions: number;
  flaggedSessions: number;
  openSessions: number;
  energyKwh: number;
  occupiedHours: number;
  chargingHours: number;
  /** Over the elapsed part of the period; null while none of it has elapsed. */
  utilizationPct: number | null;
  /** Over the elapsed part of the period; null while none of it has elapsed. */
  availabilityPct: number | null;
  uniqueUsers: number;
  enabledAvoidedKg: number;
  subsidyGrantReference: string | null;
  subsidyAmountNok: number | null;
  followUpEndsOn: string | null;
  longestSilenceDays: number;
  silentOver7Days: boolean;
  availabilityBelow90Pct: boolean;
}

export type UsageTotal = Omit<
  ChargePointUsage,
  | 'chargePointId'
  | 'name'
  | 'deviceId'
  | 'organizationId'
  | 'organizationName'
  | 'subsidyGrantReference'
  | 'subsidyAmountNok'
  | 'followUpEndsOn'
  | 'longestSilenceDays'
  | 'silentOver7Days'
  | 'availabilityBelow90Pct'
> & {
  chargePoints: number;
  subsidyAmountNok: number;
  silentOver7Days: number;
  availabilityBelow90Pct: number;
};

export interface ChargingUsageReport {
  organizationId: string | null;
  from: string;
  to: string;
  timeZone: string;
  periodHours: number;
  /** The end of the period (the start of `to`); after now while the period runs. */
  periodEndsAt: string;
  /** The part of the period up to now: the denominator of the time-based figures and flags. */
  elapsedHours: number;
  /** How enabledAvoidedKg was made: per year of session start. */
  factors: EnabledAvoidedYearFactors[];
  chargePoints: ChargePointUsage[];
  total: UsageTotal;
}

/**
 * The charging-usage report of reports-v1 and the monthly follow-up export of a cooperative:
 * per charge point and in total, with the subsidy grant and the follow-up flags (silent for more
 * than 7 days, availability below 90 %).
 */
@Injectable()
export class ChargingUsageService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ENABLED_AVOIDED_FACTORS) private readonly factors: EnabledAvoidedFactors,
    private readonly organizations: OrganizationsService,
    private readonly usage: ChargingUsageRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  /** The organization a caller may report on: a cooperative only its own (another's id is 404), others any or all. */
  async scope(organizationId: string | undefined, principal: Principal): Promise<string | null> {
    if (principal.role === 'cooperative') {
      if (organizationId && organizationId !== principal.organizationId) throw new NotFoundException(`No organization ${organizationId}`);
      return principal.organizationId!;
    }
    if (organizationId) await this.organizations.findOne(organizationId, principal);
    return organizationId ?? null;
  }

  async report(organizationId: string | null, from: string, to: string): Promise<ChargingUsageReport> {
    if (from >= to) throw new BadRequestException('from must be before to');
    const timeZone = this.config.reportTimeZone;
    const { figures, byYear, users, period } = await this.transactions.run(async (manager) => ({
      figures: await this.usage.figures(manager, organizationId, from, to, timeZone),
      byYear: await this.usage.energyByYear(manager, organizationId, from, to, timeZone),
      users: await this.usage.uniqueUsers(manager, organizationId, from, to, timeZone),
      period: await this.usage.period(manager, from, to, timeZone),
    }));
    // A period that has not ended is measured over its elapsed part: the hours still to come are
    // neither unavailable nor unused (a cooperative opening the current month saw 0.1 %).
    const { elapsedSeconds } = period;
    const years = [...new Set(byYear.map((row) => row.year))].sort();
    const factors = await Promise.all(years.map((year) => this.factors.forYear(year)));
    const kgPerKwh = new Map(factors.map((f) => [f.year, f.kgPerKwh]));
    const avoided = new Map<string, number>();
    for (const row of byYear) avoided.set(row.chargePointId, (avoided.get(row.chargePointId) ?? 0) + row.energyKwh * kgPerKwh.get(row.year)!);

    const chargePoints = figures.map((f) => usageOf(f, avoided.get(f.chargePointId) ?? 0, elapsedSeconds));
    return {
      organizationId,
      from,
      to,
      timeZone,
      periodHours: period.periodSeconds / 3600,
      periodEndsAt: period.periodEndsAt.toISOString(),
      elapsedHours: elapsedSeconds / 3600,
      factors,
      chargePoints,
      total: totalOf(figures, chargePoints, users, elapsedSeconds),
    };
  }
}

/** A share of the elapsed time in percent; null while none has elapsed. */
function pctOf(seconds: number, elapsedSeconds: number): number | null {
  return elapsedSeconds > 0 ? (100 * seconds) / elapsedSeconds : null;
}

function usageOf(f: UsageFigures, enabledAvoidedKg: number, elapsedSeconds: number): ChargePointUsage {
  const availabilityPct = pctOf(f.availableSeconds, elapsedSeconds);
  return {
    chargePointId: f.chargePointId,
    name: f.name,
    deviceId: f.deviceId,
    organizationId: f.organizationId,
    organizationName: f.organizationName,
    connectors: f.connectors,
    sessions: f.sessions,
    importedSessions: f.importedSessions,
    flaggedSessions: f.flaggedSessions,
    openSessions: f.openSessions,
    energyKwh: f.energyKwh,
    occupiedHours: f.occupiedSeconds / 3600,
    chargingHours: f.chargingSeconds / 3600,
    utilizationPct: pctOf(f.occupiedSeconds / f.connectors, elapsedSeconds),
    availabilityPct,
    uniqueUsers: f.uniqueUsers,
    enabledAvoidedKg,
    subsidyGrantReference: f.subsidyGrantReference,
    subsidyAmountNok: f.subsidyAmountNok,
    followUpEndsOn: f.followUpEndsOn,
    longestSilenceDays: f.longestSilenceSeconds / 86_400,
    silentOver7Days: f.longestSilenceSeconds > SILENT_FLAG_SECONDS,
    availabilityBelow90Pct: availabilityPct !== null && availabilityPct < AVAILABILITY_FLAG_PCT,
  };
}

function totalOf(figures: UsageFigures[], rows: ChargePointUsage[], uniqueUsers: number, elapsedSeconds: number): UsageTotal {
  const sum = (pick: (f: UsageFigures) => number) => figures.reduce((total, f) => total + pick(f), 0);
  const connectors = sum((f) => f.connectors);
  // Grants are shared by several charge points: each grant's amount counts once.
  const grants = new Map(figures.filter((f) => f.subsidyGrantReference).map((f) => [f.subsidyGrantReference, f.subsidyAmountNok ?? 0]));
  return {
    chargePoints: figures.length,
    connectors,
    sessions: sum((f) => f.sessions),
    importedSessions: sum((f) => f.importedSessions),
    flaggedSessions: sum((f) => f.flaggedSessions),
    openSessions: sum((f) => f.openSessions),
    energyKwh: sum((f) => f.energyKwh),
    occupiedHours: sum((f) => f.occupiedSeconds) / 3600,
    chargingHours: sum((f) => f.chargingSeconds) / 3600,
    utilizationPct: connectors ? pctOf(sum((f) => f.occupiedSeconds) / connectors, elapsedSeconds) : 0,
    availabilityPct: figures.length ? pctOf(sum((f) => f.availableSeconds) / figures.length, elapsedSeconds) : 0,
    uniqueUsers,
    enabledAvoidedKg: rows.reduce((total, row) => total + row.enabledAvoidedKg, 0),
    subsidyAmountNok: [...grants.values()].reduce((total, amount) => total + amount, 0),
    silentOver7Days: rows.filter((row) => row.silentOver7Days).length,
    availabilityBelow90Pct: rows.filter((row) => row.availabilityBelow90Pct).length,
  };
}

/** The file columns: API field names, the Norwegian header of nb files (ids left out there) and the decimals the dashboard shows. */
const COLUMNS: ReportColumn[] = [
  { key: 'chargePointId' },
  { key: 'name', nb: 'Ladepunkt' },
  { key: 'deviceId', nb: 'Enhets-ID' },
  { key: 'organizationId' },
  { key: 'organizationName', nb: 'Borettslag' },
  { key: 'connectors', nb: 'Kontakter', digits: 0 },
  { key: 'sessions', nb: 'Økter', digits: 0 },
  { key: 'importedSessions', nb: 'Importerte økter', digits: 0 },
  { key: 'flaggedSessions', nb: 'Flaggede økter', digits: 0 },
  { key: 'openSessions', nb: 'Åpne økter', digits: 0 },
  { key: 'energyKwh', nb: 'Energi (kWh)', digits: 1 },
  { key: 'occupiedHours', nb: 'Opptatt (timer)', digits: 1 },
  { key: 'chargingHours', nb: 'Lading (timer)', digits: 1 },
  { key: 'utilizationPct', nb: 'Utnyttelse (%)', digits: 1 },
  { key: 'availabilityPct', nb: 'Tilgjengelighet (%)', digits: 1 },
  { key: 'uniqueUsers', nb: 'Unike brukere', digits: 0 },
  { key: 'enabledAvoidedKg', nb: 'Muliggjort unngått utslipp (kg CO2e)', digits: 1 },
  { key: 'subsidyGrantReference', nb: 'Tilskuddsreferanse' },
  { key: 'subsidyAmountNok', nb: 'Tilskudd (kr)', digits: 0 },
  { key: 'followUpEndsOn', nb: 'Oppfølging slutter' },
  { key: 'longestSilenceDays', nb: 'Lengste stillhet (døgn)', digits: 1 },
  { key: 'silentOver7Days', nb: 'Stille over 7 døgn' },
  { key: 'availabilityBelow90Pct', nb: 'Tilgjengelighet under 90 %' },
  { key: 'periodEndsAt', nb: 'Perioden slutter' },
  { key: 'elapsedHours', nb: 'Forløpt (timer)', digits: 1 },
];

/**
 * The report as a file: one row per charge point and a last `total` row (flags there count charge
 * points). Every row carries the period's end and elapsed hours, the denominator of its shares: a
 * CSV file has no other place to say that a month was read before it ended.
 */
export function usageTable(report: ChargingUsageReport, name = 'charging-usage'): ReportTable {
  const period = { periodEndsAt: report.periodEndsAt, elapsedHours: report.elapsedHours };
  const total = { chargePointId: 'total', name: 'total', ...report.total };
  return {
    name: `${name}-${report.organizationId ?? 'all'}-${report.from}-${report.to}`,
    columns: COLUMNS,
    rows: [...report.chargePoints, total].map((row) => ({ ...row, ...period })),
    about: {
      report: 'charging-usage',
      organizationId: report.organizationId,
      from: report.from,
      to: report.to,
      timeZone: report.timeZone,
      periodHours: report.periodHours,
      periodEndsAt: report.periodEndsAt,
      elapsedHours: report.elapsedHours,
      enabledAvoidedFactors: factorSetText(report) || null,
      gridMethod: 'location',
      boundary: 'ttw',
    },
    cover: {
      organization: [...new Set(report.chargePoints.map((row) => row.organizationName))].join(', ') || report.organizationId || 'all',
      grantReference: [...new Set(report.chargePoints.map((row) => row.subsidyGrantReference).filter(Boolean))].join(', '),
      period: `${report.from} – ${addDays(report.to, -1)}`,
      factorSet: factorSetText(report),
    },
  };
}

/** The enabled-avoided factors the report used, per year of session start. */
export function factorSetText(report: ChargingUsageReport): string {
  return report.factors.map((f) => `${f.year}: ${f.kgPerKwh} kg/kWh (${f.source}${f.substituted ? ', substituted' : ''})`).join('; ');
}
