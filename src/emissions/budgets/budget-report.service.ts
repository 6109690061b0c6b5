import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { localDay } from '../../platform/time/local-time';
import { coverageOf, dayStart } from '../../platform/time/service-time';
import { addDays } from '../../platform/time/calendar';
import { ReportTable } from '../../reports/export/report-file';
import { ZERO_EMISSION_VEHICLE } from '../domain/carriers';
import { Boundary, GridMethod, pickFactor } from '../domain/factor-set';
import { EmissionFiguresService, PeriodFigures } from '../reports/emission-figures.service';
import { PlanRepository } from '../electrification-plan/plan.repository';
import { ClimateBudgetQuery } from './budget-report.dto';
import { budgetForecast, forecastFromShares, Replacement, whatIfForecast } from './budget-math';
import { BudgetSetRepository, Target } from './budget-set.repository';
import { BudgetSetsService } from './budget-sets.service';
import { Scope, inScope, parseScope, scopeText } from './scope';

/** Per month of a year (index 0 = January), both boundaries, and the year's vehicles in scope. */
interface YearActuals {
  ttw: number[];
  wtw: number[];
  distanceKm: number[];
  zeroEmissionKm: number[];
  coveredSeconds: number[];
  /** Per vehicle: kg and km per month, for the what-if (empty unless asked for). */
  byVehicle: Map<string, { ttw: number[]; wtw: number[]; km: number[] }>;
}

const twelve = (): number[] => new Array(12).fill(0);

/** GET /reports/climate-budget: a scope's budget per month, its actuals, the forecast, status, targets and a plan's what-if. */
@Injectable()
export class BudgetReportService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly figures: EmissionFiguresService,
    private readonly sets: BudgetSetsService,
    private readonly setRows: BudgetSetRepository,
    private readonly plans: PlanRepository,
  ) {}

  /**
   * The current year's status of a scope's budget in the newest budget set (an alert rule's
   * condition): the report's forecast without its coverage, targets or what-if.
   */
  async currentStatus(scope: string, now: Date) {
    const year = Number(localDay(now, this.config.reportTimeZone).slice(0, 4));
    const { label, set, budget, forecast } = await this.forecast({ year, scope }, now);
    return { year, scope: label, budgetSetVersion: set.version, annualKg: budget.annualKg, atEndOfMonth: forecast.atEndOfMonth, forecastKg: forecast.forecastKg, status: forecast.status };
  }

  async report(query: ClimateBudgetQuery, now = new Date()) {
    const { scope, label, set, budget, boundary, gridMethod, timeZone, today, atEndOfMonth, period, previous, current, forecast } = await this.forecast(query, now);

    // Coverage (amendment 1.1) per month and to date: in-service time in scope, by `now`.
    const vehicles = [...period.vehicles.values()].filter((vehicle) => inScope(scope, vehicle));
    const inService = monthlyInServiceSeconds(vehicles, query.year, now, timeZone);
    const toDate = (values: number[]) => values.slice(0, atEndOfMonth).reduce((a, b) => a + b, 0);

    const months = forecast.months.map((m, i) => ({
      month: `${query.year}-${String(m.month).padStart(2, '0')}`,
      share: forecast.annualBudgetKg > 0 ? m.budgetKg / forecast.annualBudgetKg : null,
      budgetKg: m.budgetKg,
      actualKg: m.actualKg,
      forecastKg: m.forecastKg,
      cumulativeBudgetKg: m.cumulativeBudgetKg,
      cumulativeActualKg: m.cumulativeActualKg,
      cumulativeForecastKg: m.cumulativeForecastKg,
      previousYearKg: previous[boundary][i],
      distanceKm: current.distanceKm[i],
      coverage: coverageOf(current.coveredSeconds[i], inService[i]),
    }));

    const targets = await this.targets(
      set.targets.filter((t) => t.scope === label),
      scope,
      query.year,
      atEndOfMonth,
      { previous, current, vehicles: period },
      gridMethod,
      query.factorSet,
      today,
    );
    const whatIf = query.plan ? await this.whatIf(query.plan, forecast, current, boundary, query.year, atEndOfMonth, period, gridMethod) : null;

    return {
      year: query.year,
      scope: label,
      budgetSetVersion: set.version,
      budgetSetName: set.name,
      budget: { fromYear: budget.fromYear, toYear: budget.toYear, annualKg: budget.annualKg },
      factorSetVersion: period.factorSet.version,
      factorSetName: period.factorSet.name,
      boundary,
      gridMethod,
      timeZone,
      lockedYears: period.lockedYears,
      atEndOfMonth,
      months,
      totals: {
        annualBudgetKg: forecast.annualBudgetKg,
        previousYearKg: previous[boundary].reduce((a, b) => a + b, 0),
        actualToDateKg: forecast.actualToDateKg,
        budgetToDateKg: forecast.budgetToDateKg,
        runRate: forecast.runRate,
        forecastKg: forecast.forecastKg,
        status: forecast.status,
        coverage: coverageOf(toDate(current.coveredSeconds), toDate(inService)),
      },
      targets,
      whatIf,
      counterGaps: period.counterGaps.map(({ flag: _flag, ...gap }) => gap),
      flags: period.flags,
    };
  }

  /** The scope's budget, the figures of the year and the one before, and the forecast at the end of the query's month. */
  private async forecast(query: Pick<ClimateBudgetQuery, 'year' | 'scope' | 'budgetSet' | 'month' | 'factorSet' | 'gridMethod' | 'plan'>, now: Date) {
    const scope = parseScope(query.scope ?? 'fleet')!;
    const label = scopeText(scope);
    if (scope.kind === 'department' && (await this.setRows.existingDepartments([scope.key])).size === 0) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid input', errors: [{ field: 'scope', message: `no department ${scope.key}` }] });
    }
    const set = await this.sets.resolve(query.budgetSet);
    const budget = set.budgets.find((b) => b.scope === label && b.fromYear <= query.year && query.year <= b.toYear);
    if (!budget) throw new NotFoundException(`Budget set ${set.version} has no budget for ${label} in ${query.year}`);
    const gridMethod = query.gridMethod ?? 'location';
    const boundary = budget.boundary;
    const timeZone = this.config.reportTimeZone;
    const today = localDay(now, timeZone);
    const atEndOfMonth = query.month ?? lastEndedMonth(query.year, today);

    await this.figures.refresh();
    const period = await this.figures.period({
      from: `${query.year - 1}-01-01`,
      to: `${query.year + 1}-01-01`,
      vehicleClass: scope.kind === 'vehicleClass' ? scope.key : null,
      gridMethod,
      factorSet: query.factorSet,
      refreshed: true,
      byMonth: true,
    });
    const previous = actualsOf(period, scope, query.year - 1, false);
    const current = actualsOf(period, scope, query.year, query.plan !== undefined);
    const forecast = budgetForecast(budget.annualKg, previous[boundary], current[boundary], atEndOfMonth);
    return { scope, label, set, budget, boundary, gridMethod, timeZone, today, atEndOfMonth, period, previous, current, forecast };
  }

  table(report: Awaited<ReturnType<BudgetReportService['report']>>): ReportTable {
    const stated = {
      scope: report.scope,
      budgetSetVersion: report.budgetSetVersion,
      factorSetVersion: report.factorSetVersion,
      boundary: report.boundary,
      gridMethod: report.gridMethod,
      atEndOfMonth: report.atEndOfMonth,
    };
    const whatIf = new Map((report.whatIf?.months ?? []).map((m) => [m.month, m.forecastKg]));
    return {
      name: `climate-budget-${report.scope}-${report.year}`,
      columns: [
        { key: 'month' },
        { key: 'share' },
        { key: 'budgetKg' },
        { key: 'actualKg' },
        { key: 'forecastKg' },
        { key: 'cumulativeBudgetKg' },
        { key: 'cumulativeActualKg' },
        { key: 'cumulativeForecastKg' },
        { key: 'whatIfForecastKg' },
        { key: 'status' },
        { key: 'coverage' },
        { key: 'scope' },
        { key: 'budgetSetVersion' },
        { key: 'factorSetVersion' },
        { key: 'boundary' },
        { key: 'gridMethod' },
        { key: 'atEndOfMonth' },
      ],
      rows: [
        ...report.months.map((m) => ({ ...m, whatIfForecastKg: report.whatIf ? whatIf.get(m.month) : null, ...stated })),
        // The year, so that a file states the forecast, status and coverage too.
        {
          month: String(report.year),
          share: 1,
          budgetKg: report.totals.annualBudgetKg,
          actualKg: report.totals.actualToDateKg,
          forecastKg: report.totals.forecastKg,
          whatIfForecastKg: report.whatIf?.forecastKg ?? null,
          status: report.totals.status,
          coverage: report.totals.coverage,
          ...stated,
        },
      ],
      about: {
        ...stated,
        year: report.year,
        budgetSetName: report.budgetSetName,
        factorSetName: report.factorSetName,
        timeZone: report.timeZone,
        forecastKg: report.totals.forecastKg,
        status: report.totals.status,
        whatIfPlan: report.whatIf?.planId ?? null,
        whatIfForecastKg: report.whatIf?.forecastKg ?? null,
        targets: report.targets.map((t) => `${t.name}: ${t.status}`).join('; ') || null,
        flags: report.flags.join('; ') || null,
      },
    };
  }

  /**
   * Targets of the report's scope: met or missed for years that have ended (by the report's
   * month), whether the forecast meets them for the report's year, pending for later years.
   */
  private async targets(
    targets: Target[],
    scope: Scope,
    year: number,
    atEndOfMonth: number,
    loaded: { previous: YearActuals; current: YearActuals; vehicles: PeriodFigures },
    gridMethod: GridMethod,
    factorSet: number | undefined,
    today: string,
  ) {
    const years = new Map<number, Promise<{ actuals: YearActuals; period: PeriodFigures }>>();
    const yearOf = (y: number) => {
      if (y === year) return Promise.resolve({ actuals: loaded.current, period: loaded.vehicles });
      if (y === year - 1) return Promise.resolve({ actuals: loaded.previous, period: loaded.vehicles });
      if (!years.has(y)) {
        years.set(
          y,
          this.figures
            .period({ from: `${y}-01-01`, to: `${y + 1}-01-01`, vehicleClass: scope.kind === 'vehicleClass' ? scope.key : null, gridMethod, factorSet, refreshed: true, byMonth: true })
            .then((period) => ({ actuals: actualsOf(period, scope, y, false), period })),
        );
      }
      return years.get(y)!;
    };
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    return Promise.all(
      targets.map(async (target) => {
        const ended = target.year < year ? `${target.year + 1}-01-01` <= today : target.year === year && atEndOfMonth === 12;
        const basis = ended ? 'actual' : target.year === year ? 'forecast' : null;
        const stated = {
          name: target.name,
          scope: target.scope,
          kind: target.kind,
          year: target.year,
          boundary: target.boundary,
          baseYear: target.baseYear,
          changePct: target.changePct,
          shareBasis: target.shareBasis,
          sharePct: target.sharePct,
          maxKg: target.maxKg,
        };
        if (basis === null) return { ...stated, basis, value: null, met: null, status: 'pending' };
        const { actuals, period } = await yearOf(target.year);
        const kg = basis === 'actual' ? sum(actuals[target.boundary]) : forecastFromShares(loaded.previous[target.boundary], actuals[target.boundary], atEndOfMonth);
        let value: number | null = null;
        let met: boolean | null = null;
        if (target.kind === 'absolute') {
          value = kg;
          met = kg === null ? null : kg <= target.maxKg!;
        } else if (target.kind === 'change') {
          const base = sum((await yearOf(target.baseYear!)).actuals[target.boundary]);
          value = kg === null || base <= 0 ? null : (100 * (kg - base)) / base;
          met = value === null ? null : value <= target.changePct!;
        } else if (target.shareBasis === 'distance') {
          const km = sum(actuals.distanceKm);
          // The forecast of a share is the share to date: the remaining months are expected to drive like the months so far.
          value = km > 0 ? (100 * sum(actuals.zeroEmissionKm)) / km : null;
          met = value === null ? null : value >= target.sharePct!;
        } else {
          const yearEnd = `${target.year}-12-31`;
          const atYearEnd = [...period.vehicles.values()].filter((v) => inScope(scope, v) && v.inServiceFrom <= yearEnd && (v.inServiceTo === null || v.inServiceTo >= yearEnd));
          value = atYearEnd.length > 0 ? (100 * atYearEnd.filter((v) => ZERO_EMISSION_VEHICLE.has(v.energyCarrier)).length) / atYearEnd.length : null;
          met = value === null ? null : value >= target.sharePct!;
        }
        const status = met === null ? 'no_data' : basis === 'actual' ? (met ? 'met' : 'missed') : met ? 'forecast_meets' : 'forecast_misses';
        return { ...stated, basis, value, met, status };
      }),
    );
  }

  /**
   * The forecast a plan would give: each planned vehicle in scope is replaced from its month on
   * (from January when it was replaced in an earlier year) by its candidate, which carries the
   * vehicle's distance to date at the candidate's kWh/km and the year's grid factor (0 kg TTW).
   */
  private async whatIf(
    planId: string,
    forecast: ReturnType<typeof budgetForecast>,
    current: YearActuals,
    boundary: Boundary,
    year: number,
    atEndOfMonth: number,
    period: PeriodFigures,
    gridMethod: GridMethod,
  ) {
    const plan = await this.plans.plan(planId);
    if (!plan) throw new NotFoundException(`No plan ${planId}`);
    const grid = pickFactor(period.factorSet.factors, 'electricity', year, gridMethod);
    const gridKgPerKwh = boundary === 'ttw' ? 0 : (grid?.record.wttKgPerUnit ?? null);
    const flags: string[] = [];
    if (gridKgPerKwh === null) flags.push(`no ${gridMethod} grid factor for ${year} in factor set ${period.factorSet.version}: candidates counted at 0 kg/kWh`);
    const replacements: Array<Replacement & { vehicleId: string; registration: string; month: string; candidate: string }> = [];
    for (const item of plan.items) {
      const vehicle = current.byVehicle.get(item.vehicleId);
      const itemYear = Number(item.month.slice(0, 4));
      if (!vehicle || itemYear > year) continue;
      const km = vehicle.km.slice(0, atEndOfMonth).reduce((a, b) => a + b, 0);
      replacements.push({
        vehicleId: item.vehicleId,
        registration: item.registration,
        month: item.month,
        candidate: item.candidateName,
        fromMonth: itemYear < year ? 1 : Number(item.month.slice(5, 7)),
        actualToDateKg: vehicle[boundary].slice(0, atEndOfMonth).reduce((a, b) => a + b, 0),
        candidateToDateKg: km * item.kwhPerKm * (gridKgPerKwh ?? 0),
      });
    }
    const result = whatIfForecast(forecast, replacements);
    return {
      planId: plan.id,
      planName: plan.name,
      todayForecastKg: forecast.forecastKg,
      todayStatus: forecast.status,
      forecastKg: result.forecastKg,
      status: result.status,
      deltaKg: result.deltaKg,
      gridKgPerKwh,
      replacements,
      months: result.months.map((m) => ({ month: `${year}-${String(m.month).padStart(2, '0')}`, forecastKg: m.forecastKg })),
      flags,
    };
  }
}

/** The last month of `year` that has ended by `today` (0: none; 12: the year is over). */
export function lastEndedMonth(year: number, today: string): number {
  const thisYear = Number(today.slice(0, 4));
  if (year < thisYear) return 12;
  if (year > thisYear) return 0;
  return Number(today.slice(5, 7)) - 1;
}

function monthDay(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

/**
 * The in-service seconds of the vehicles in each month of the year that have happened by `now`
 * (as inServiceSeconds, from the first service day to the end of the last): each vehicle's
 * service as one interval of instants, cut by the month starts, instead of 12 date computations
 * per vehicle.
 */
export function monthlyInServiceSeconds(vehicles: Array<{ inServiceFrom: string; inServiceTo: string | null }>, year: number, now: Date, timeZone: string): number[] {
  const bounds = Array.from({ length: 13 }, (_, i) => dayStart(i === 12 ? `${year + 1}-01-01` : monthDay(year, i + 1), timeZone).getTime());
  const seconds = twelve();
  for (const vehicle of vehicles) {
    const start = dayStart(vehicle.inServiceFrom, timeZone).getTime();
    const end = Math.min(vehicle.inServiceTo === null ? Infinity : dayStart(addDays(vehicle.inServiceTo, 1), timeZone).getTime(), now.getTime());
    for (let i = 0; i < 12; i++) seconds[i] += Math.max(0, Math.min(end, bounds[i + 1]) - Math.max(start, bounds[i])) / 1000;
  }
  return seconds;
}

/** `perVehicle`: also each vehicle's months (for a what-if). */
function actualsOf(period: PeriodFigures, scope: Scope, year: number, perVehicle: boolean): YearActuals {
  const actuals: YearActuals = { ttw: twelve(), wtw: twelve(), distanceKm: twelve(), zeroEmissionKm: twelve(), coveredSeconds: twelve(), byVehicle: new Map() };
  const prefix = `${year}-`;
  for (const item of period.items) {
    if (!item.month.startsWith(prefix) || !inScope(scope, item.vehicle)) continue;
    const i = Number(item.month.slice(5, 7)) - 1;
    const f = item.figures;
    actuals.ttw[i] += f.ttwKg;
    actuals.wtw[i] += f.wtwKg;
    actuals.distanceKm[i] += f.distanceKm;
    if (ZERO_EMISSION_VEHICLE.has(item.vehicle.energyCarrier)) actuals.zeroEmissionKm[i] += f.distanceKm;
    actuals.coveredSeconds[i] += f.coveredSeconds;
    if (!perVehicle) continue;
    let vehicle = actuals.byVehicle.get(item.vehicle.vehicleId);
    if (!vehicle) actuals.byVehicle.set(item.vehicle.vehicleId, (vehicle = { ttw: twelve(), wtw: twelve(), km: twelve() }));
    vehicle.ttw[i] += f.ttwKg;
    vehicle.wtw[i] += f.wtwKg;
    vehicle.km[i] += f.distanceKm;
  }
  return actuals;
}
