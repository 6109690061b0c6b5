import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { ReportColumn, ReportTable } from '../../reports/export/report-file';
import { CARRIERS, ENERGY_FIELD, ZERO_EMISSION_VEHICLE } from '../domain/carriers';
import { change } from '../domain/decomposition';
import { coverageOf, dayStart, elapsedOf, inServiceSeconds } from '../../platform/time/service-time';
import { Figures, addFigures, dataQualityShares, distanceQualityShares, emptyFigures } from '../domain/emissions';
import { Boundary, GridMethod } from '../domain/factor-set';
import { ChangeReportQuery, EmissionsReportQuery, FleetKpisQuery, GroupBy } from './emission-report.dto';
import { addMonths } from '../../platform/time/calendar';
import { monthStart } from '../activity/month-windows';
import { EmissionFiguresService, LongGap, PeriodFigures, VehicleMonthFigures } from './emission-figures.service';

/** The figures of a group in one boundary, with the report's field names (reports-v1). */
export function reportRow(figures: Figures, boundary: Boundary) {
  const actualKg = boundary === 'ttw' ? figures.ttwKg : figures.wtwKg;
  const baselineKg = boundary === 'ttw' ? figures.baselineTtwKg : figures.baselineWtwKg;
  return {
    distanceKm: figures.distanceKm,
    energy: Object.fromEntries(CARRIERS.map((carrier) => [ENERGY_FIELD[carrier], figures.energy[carrier] ?? 0])),
    actualKg,
    baselineKg,
    avoidedKg: baselineKg - actualKg,
    biogenicMemoKg: figures.biogenicMemoKg,
    dataQuality: dataQualityShares(figures.qualityKwh),
    distanceDataQuality: distanceQualityShares(figures),
    flags: figures.flags,
  };
}

const FIGURE_COLUMNS: ReportColumn[] = [
  { key: 'distanceKm' },
  ...CARRIERS.map((carrier) => ({ key: `energy.${ENERGY_FIELD[carrier]}`, header: ENERGY_FIELD[carrier] })),
  { key: 'actualKg' },
  { key: 'baselineKg' },
  { key: 'avoidedKg' },
  { key: 'biogenicMemoKg' },
  { key: 'dataQuality.primary', header: 'dataQualityPrimary' },
  { key: 'dataQuality.modelled', header: 'dataQualityModelled' },
  { key: 'dataQuality.default', header: 'dataQualityDefault' },
  { key: 'distanceDataQuality.primary', header: 'distanceDataQualityPrimary' },
  { key: 'distanceDataQuality.modelled', header: 'distanceDataQualityModelled' },
  { key: 'coverage' },
];

/** What every emission report states (and CSV files carry as columns). */
const STATED_COLUMNS: ReportColumn[] = [{ key: 'factorSetVersion' }, { key: 'boundary' }, { key: 'gridMethod' }];

@Injectable()
export class EmissionReportsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly figures: EmissionFiguresService,
  ) {}

  private stated(period: PeriodFigures, boundary: Boundary, gridMethod: GridMethod) {
    return {
      factorSetVersion: period.factorSet.version,
      factorSetName: period.factorSet.name,
      boundary,
      gridMethod,
      timeZone: this.config.reportTimeZone,
      lockedYears: period.lockedYears,
    };
  }

  /**
   * How much of the period has happened and its coverage (amendment 1.1): in-service time within
   * counter intervals no longer than MAX_COUNTER_GAP over the in-service time (elapsed part).
   */
  private coverage(period: PeriodFigures, from: string, to: string, now: Date) {
    const timeZone = this.config.reportTimeZone;
    const inService = [...period.vehicles.values()].reduce((sum, vehicle) => sum + inServiceSeconds(vehicle, from, to, now, timeZone), 0);
    const covered = period.items.reduce((sum, item) => sum + item.figures.coveredSeconds, 0);
    return { ...elapsedOf(from, to, now, timeZone), inServiceHours: inService / 3600, coverage: coverageOf(covered, inService) };
  }

  /** GET /reports/emissions: one row per group. */
  async emissions(query: EmissionsReportQuery) {
    if (query.from >= query.to) throw new BadRequestException('from must be before to');
    const boundary = query.boundary ?? 'ttw';
    const gridMethod = query.gridMethod ?? 'location';
    const groupBy: GroupBy = query.groupBy ?? 'vehicleClass';
    const now = new Date();
    const timeZone = this.config.reportTimeZone;
    const period = await this.figures.period({ from: query.from, to: query.to, vehicleClass: null, gridMethod, factorSet: query.factorSet, byMonth: groupBy === 'month' });
    const vehicles = [...period.vehicles.values()];
    const labels = groupBy === 'department' ? await this.departmentNames([...new Set(vehicles.map((vehicle) => vehicle.departmentId))]) : new Map<string, string>();
    type Group = { label: string; figures: Figures; from: string; to: string; inServiceSeconds: number; vehicleIds: Set<string> };
    const groups = new Map<string, Group>();
    const groupOf = (key: string, label: string, from: string, to: string) => {
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { label, figures: emptyFigures(), from, to, inServiceSeconds: 0, vehicleIds: new Set() }));
      return group;
    };
    // Every vehicle in service counts in its group's coverage, with or without data (a row of
    // zeros with coverage 0 rather than no row); by month, every month that has begun.
    const months = monthWindows(query.from, query.to);
    const windows = groupBy === 'month' ? months : [{ key: '', from: query.from, to: query.to }];
    for (const vehicle of vehicles) {
      for (const window of windows) {
        const seconds = inServiceSeconds(vehicle, window.from, window.to, now, timeZone);
        if (groupBy === 'month' && seconds <= 0) continue;
        const [key, label] = groupBy === 'month' ? [window.key, window.key] : groupKey({ vehicle, month: '', figures: emptyFigures() }, groupBy, labels);
        const group = groupOf(key, label, window.from, window.to);
        group.inServiceSeconds += seconds;
        group.vehicleIds.add(vehicle.vehicleId);
      }
    }
    const total = emptyFigures();
    for (const item of period.items) {
      const [key, label] = groupKey(item, groupBy, labels);
      const month = groupBy === 'month' ? months.find((w) => w.key === key) : undefined;
      const group = groupOf(key, label, month?.from ?? query.from, month?.to ?? query.to);
      group.vehicleIds.add(item.vehicle.vehicleId);
      addFigures(group.figures, item.figures);
      addFigures(total, item.figures);
    }
    const rows = [...groups.entries()]
      .sort(([a, x], [b, y]) => (groupBy === 'vehicle' || groupBy === 'department' ? x.label.localeCompare(y.label) : a.localeCompare(b)))
      .map(([group, g]) => {
        const row = reportRow(g.figures, boundary);
        const gapFlags = gapsIn(period.counterGaps, g.vehicleIds, g.from, g.to, timeZone).map((gap) => gap.flag);
        return { group, label: g.label, ...row, coverage: coverageOf(g.figures.coveredSeconds, g.inServiceSeconds), inServiceHours: g.inServiceSeconds / 3600, flags: [...row.flags, ...gapFlags] };
      });
    const coverage = this.coverage(period, query.from, query.to, now);
    return {
      from: query.from,
      to: query.to,
      groupBy,
      ...this.stated(period, boundary, gridMethod),
      periodEndsAt: coverage.periodEndsAt,
      periodEnded: coverage.periodEnded,
      elapsedHours: coverage.elapsedHours,
      rows,
      total: { ...reportRow(total, boundary), coverage: coverage.coverage, inServiceHours: coverage.inServiceHours },
      counterGaps: period.counterGaps.map(({ flag: _flag, ...gap }) => gap),
      flags: period.flags,
    };
  }

  emissionsTable(report: Awaited<ReturnType<EmissionReportsService['emissions']>>): ReportTable {
    return {
      name: `emissions-${report.groupBy}-${report.from}-${report.to}`,
      columns: [{ key: 'group' }, { key: 'label' }, ...FIGURE_COLUMNS, ...STATED_COLUMNS, { key: 'flags' }],
      rows: [
        ...report.rows.map((row) => ({ ...row, ...stated(report), flags: row.flags.join('; ') })),
        // The total, so that a file states the total's coverage too (and the report's flags).
        { group: 'total', label: 'total', ...report.total, ...stated(report), flags: report.flags.join('; ') },
      ],
      about: { ...aboutOf(report), periodEndsAt: report.periodEndsAt, elapsedHours: report.elapsedHours, coverage: report.total.coverage },
    };
  }

  /** GET /reports/emissions/change: the group's change from baseYear to year and its decomposition. */
  async change(query: ChangeReportQuery) {
    if (query.baseYear === query.year) throw new BadRequestException('baseYear and year must differ');
    const boundary = query.boundary ?? 'ttw';
    const gridMethod = query.gridMethod ?? 'location';
    const vehicleClass = query.vehicleClass ?? null;
    await this.figures.refresh();
    const now = new Date();
    const yearOf = (year: number) => this.figures.period({ from: `${year}-01-01`, to: `${year + 1}-01-01`, vehicleClass, gridMethod, factorSet: query.factorSet, refreshed: true });
    const [base, current] = await Promise.all([yearOf(query.baseYear), yearOf(query.year)]);
    const totals = (period: PeriodFigures) => {
      const sum = period.items.reduce((total, item) => addFigures(total, item.figures), emptyFigures());
      return { figures: sum, totals: { distanceKm: sum.distanceKm, energy: sum.energy, kgByCarrier: boundary === 'ttw' ? sum.ttwKgByCarrier : sum.wtwKgByCarrier } };
    };
    const b = totals(base);
    const c = totals(current);
    const result = change(b.totals, c.totals);
    const side = (period: PeriodFigures, figures: Figures, year: number) => ({
      year,
      ...this.coverage(period, `${year}-01-01`, `${year + 1}-01-01`, now),
      vehicles: new Set(period.items.map((item) => item.vehicle.vehicleId)).size,
      distanceKm: figures.distanceKm,
      energy: Object.fromEntries(CARRIERS.map((carrier) => [ENERGY_FIELD[carrier], figures.energy[carrier] ?? 0])),
      kgByCarrier: Object.fromEntries(CARRIERS.map((carrier) => [carrier, (boundary === 'ttw' ? figures.ttwKgByCarrier : figures.wtwKgByCarrier)[carrier] ?? 0])),
      dataQuality: dataQualityShares(figures.qualityKwh),
      distanceDataQuality: distanceQualityShares(figures),
      counterGaps: period.counterGaps.map(({ flag: _flag, ...gap }) => gap),
    });
    return {
      vehicleClass,
      baseYear: query.baseYear,
      year: query.year,
      ...this.stated(current, boundary, gridMethod),
      lockedYears: [...base.lockedYears, ...current.lockedYears],
      baseKg: result.baseKg,
      currentKg: result.currentKg,
      changePct: result.changePct,
      decomposition: result.decomposition,
      base: side(base, b.figures, query.baseYear),
      current: side(current, c.figures, query.year),
      flags: [...new Set([...base.flags, ...b.figures.flags, ...current.flags, ...c.figures.flags])],
    };
  }

  changeTable(report: Awaited<ReturnType<EmissionReportsService['change']>>): ReportTable {
    return {
      name: `emissions-change-${report.vehicleClass ?? 'fleet'}-${report.baseYear}-${report.year}`,
      columns: [
        { key: 'vehicleClass' },
        { key: 'baseYear' },
        { key: 'year' },
        { key: 'baseKg' },
        { key: 'currentKg' },
        { key: 'changePct' },
        { key: 'decomposition.activityKg', header: 'activityKg' },
        { key: 'decomposition.technologyKg', header: 'technologyKg' },
        { key: 'decomposition.factorKg', header: 'factorKg' },
        { key: 'base.distanceKm', header: 'baseDistanceKm' },
        { key: 'current.distanceKm', header: 'currentDistanceKm' },
        { key: 'base.coverage', header: 'baseCoverage' },
        { key: 'current.coverage', header: 'currentCoverage' },
        { key: 'base.dataQuality.primary', header: 'baseDataQualityPrimary' },
        { key: 'current.dataQuality.primary', header: 'currentDataQualityPrimary' },
        ...STATED_COLUMNS,
        { key: 'flags' },
      ],
      rows: [{ ...report, vehicleClass: report.vehicleClass ?? 'all', flags: report.flags.join('; ') }],
      about: aboutOf(report),
    };
  }

  /** GET /reports/fleet-kpis: the fleet at year end and the year's zero-emission shares and totals. */
  async fleetKpis(query: FleetKpisQuery) {
    const boundary = query.boundary ?? 'ttw';
    const gridMethod = query.gridMethod ?? 'location';
    const period = await this.figures.period({ from: `${query.year}-01-01`, to: `${query.year + 1}-01-01`, vehicleClass: null, gridMethod, factorSet: query.factorSet });
    const coverage = this.coverage(period, `${query.year}-01-01`, `${query.year + 1}-01-01`, new Date());
    const yearEnd = `${query.year}-12-31`;
    const atYearEnd = [...period.vehicles.values()].filter((v) => v.inServiceFrom <= yearEnd && (v.inServiceTo === null || v.inServiceTo >= yearEnd));
    const counts = new Map<string, { vehicleClass: string; energyCarrier: string; vehicles: number }>();
    for (const vehicle of atYearEnd) {
      const key = `${vehicle.vehicleClass}|${vehicle.energyCarrier}`;
      const entry = counts.get(key) ?? { vehicleClass: vehicle.vehicleClass, energyCarrier: vehicle.energyCarrier, vehicles: 0 };
      entry.vehicles += 1;
      counts.set(key, entry);
    }
    const total = emptyFigures();
    let zeroEmissionKm = 0;
    for (const item of period.items) {
      addFigures(total, item.figures);
      if (ZERO_EMISSION_VEHICLE.has(item.vehicle.energyCarrier)) zeroEmissionKm += item.figures.distanceKm;
    }
    const zeroEmissionVehicles = atYearEnd.filter((v) => ZERO_EMISSION_VEHICLE.has(v.energyCarrier)).length;
    const row = reportRow(total, boundary);
    return {
      year: query.year,
      ...this.stated(period, boundary, gridMethod),
      yearEnd,
      periodEndsAt: coverage.periodEndsAt,
      periodEnded: coverage.periodEnded,
      elapsedHours: coverage.elapsedHours,
      vehiclesByClassAndCarrier: [...counts.values()].sort((a, b) => a.vehicleClass.localeCompare(b.vehicleClass) || a.energyCarrier.localeCompare(b.energyCarrier)),
      zeroEmissionShare: {
        byCount: atYearEnd.length === 0 ? null : zeroEmissionVehicles / atYearEnd.length,
        byDistance: total.distanceKm === 0 ? null : zeroEmissionKm / total.distanceKm,
      },
      totals: {
        vehiclesAtYearEnd: atYearEnd.length,
        zeroEmissionVehiclesAtYearEnd: zeroEmissionVehicles,
        vehiclesInServiceDuringYear: period.vehicles.size,
        distanceKm: total.distanceKm,
        zeroEmissionDistanceKm: zeroEmissionKm,
        energy: row.energy,
        actualKg: row.actualKg,
        baselineKg: row.baselineKg,
        avoidedKg: row.avoidedKg,
        biogenicMemoKg: row.biogenicMemoKg,
        dataQuality: row.dataQuality,
        distanceDataQuality: row.distanceDataQuality,
        coverage: coverage.coverage,
        inServiceHours: coverage.inServiceHours,
      },
      counterGaps: period.counterGaps.map(({ flag: _flag, ...gap }) => gap),
      flags: [...new Set([...period.flags, ...total.flags])],
    };
  }

  /** The KPIs as a tall table (kpi, value): every figure of the JSON answer fits one CSV. */
  kpisTable(report: Awaited<ReturnType<EmissionReportsService['fleetKpis']>>): ReportTable {
    const rows: Array<{ kpi: string; value: number | null }> = [
      ...report.vehiclesByClassAndCarrier.map((c) => ({ kpi: `vehicles.${c.vehicleClass}.${c.energyCarrier}`, value: c.vehicles })),
      { kpi: 'zeroEmissionShare.byCount', value: report.zeroEmissionShare.byCount },
      { kpi: 'zeroEmissionShare.byDistance', value: report.zeroEmissionShare.byDistance },
      ...Object.entries(report.totals).flatMap(([key, value]) =>
        typeof value === 'object' && value !== null
          ? Object.entries(value).map(([sub, v]) => ({ kpi: `totals.${key}.${sub}`, value: v as number }))
          : [{ kpi: `totals.${key}`, value: value as number }],
      ),
    ];
    return {
      name: `fleet-kpis-${report.year}`,
      columns: [{ key: 'kpi' }, { key: 'value' }, { key: 'year' }, ...STATED_COLUMNS],
      rows: rows.map((row) => ({ ...row, year: report.year, ...stated(report) })),
      about: aboutOf(report),
    };
  }

  private async departmentNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; name: string }> = await this.dataSource.query(`SELECT id, name FROM organizations WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row) => [row.id, row.name]));
  }
}

function groupKey(item: VehicleMonthFigures, groupBy: GroupBy, departments: Map<string, string>): [string, string] {
  switch (groupBy) {
    case 'vehicleClass':
      return [item.vehicle.vehicleClass, item.vehicle.vehicleClass];
    case 'vehicle':
      return [item.vehicle.vehicleId, item.vehicle.registration];
    case 'carrier':
      // The vehicle's energy carrier (plug-in hybrids are a group of their own); energy per carrier is in the row.
      return [item.vehicle.energyCarrier, item.vehicle.energyCarrier];
    case 'department':
      return [item.vehicle.departmentId, departments.get(item.vehicle.departmentId) ?? item.vehicle.departmentId];
    case 'month':
      return [item.month, item.month];
  }
}

/** The months of [from, to) as report windows (the first and last clipped to the period). */
function monthWindows(from: string, to: string): Array<{ key: string; from: string; to: string }> {
  const windows: Array<{ key: string; from: string; to: string }> = [];
  for (let month = monthStart(from); month < to; month = addMonths(month, 1)) {
    const next = addMonths(month, 1);
    windows.push({ key: month.slice(0, 7), from: month < from ? from : month, to: next < to ? next : to });
  }
  return windows;
}

/** The long gaps of the given vehicles that reach into [from, to) (calendar days in the time zone). */
function gapsIn(gaps: LongGap[], vehicleIds: Set<string>, from: string, to: string, timeZone: string): LongGap[] {
  const start = dayStart(from, timeZone).getTime();
  const end = dayStart(to, timeZone).getTime();
  return gaps.filter((gap) => vehicleIds.has(gap.vehicleId) && Date.parse(gap.from) < end && Date.parse(gap.to) > start);
}

function stated(report: { factorSetVersion: number; boundary: string; gridMethod: string }) {
  return { factorSetVersion: report.factorSetVersion, boundary: report.boundary, gridMethod: report.gridMethod };
}

function aboutOf(report: {
  factorSetVersion: number;
  factorSetName: string;
  boundary: string;
  gridMethod: string;
  timeZone: string;
  lockedYears: Array<{ year: number; revision: number; factorSetVersion: number }>;
  flags: string[];
}) {
  return {
    factorSetVersion: report.factorSetVersion,
    factorSetName: report.factorSetName,
    boundary: report.boundary,
    gridMethod: report.gridMethod,
    timeZone: report.timeZone,
    lockedYears: report.lockedYears.map((l) => `${l.year} revision ${l.revision} (factor set ${l.factorSetVersion})`).join('; ') || null,
    flags: report.flags.join('; ') || null,
  };
}
