import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { localDay } from '../../platform/time/local-time';
import { ReportTable } from '../../reports/export/report-file';
import { addDays } from '../../platform/time/calendar';
import { CARRIERS, NON_FOSSIL_VEHICLE } from '../domain/carriers';
import { Figures, addFigures, emptyFigures } from '../domain/emissions';
import { pickFactor } from '../domain/factor-set';
import { EmissionFiguresService } from '../reports/emission-figures.service';
import { ElectrificationPlanQuery } from './plan.dto';
import { Candidate, PlanActivityRepository, PlanRepository } from './plan.repository';
import { DEFAULT_WINTER_FACTOR, chooseCandidate, verdictOf } from './plan-verdict';

const DEFAULT_YEARS = 8;

/** GET /reports/electrification-plan: which fossil vehicles to replace, from their own last 12 months. */
@Injectable()
export class ElectrificationPlanService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly figures: EmissionFiguresService,
    private readonly inputs: PlanRepository,
    private readonly activity: PlanActivityRepository,
  ) {}

  async report(query: ElectrificationPlanQuery, now = new Date()) {
    const timeZone = this.config.reportTimeZone;
    const asOf = query.asOf ?? localDay(now, timeZone);
    // The same day a year earlier (29 February: 1 March).
    const from = asOf.endsWith('-02-29') ? `${Number(asOf.slice(0, 4)) - 1}-03-01` : `${Number(asOf.slice(0, 4)) - 1}${asOf.slice(4)}`;
    const winterFactor = query.winterFactor ?? DEFAULT_WINTER_FACTOR;
    const years = query.years ?? DEFAULT_YEARS;
    const boundary = query.boundary ?? 'ttw';
    const gridMethod = query.gridMethod ?? 'location';
    const period = await this.figures.period({ from, to: asOf, vehicleClass: null, gridMethod, factorSet: query.factorSet });
    const fossil = [...period.vehicles.values()].filter((v) => !NON_FOSSIL_VEHICLE.has(v.energyCarrier) && v.inServiceFrom <= asOf && (v.inServiceTo === null || v.inServiceTo >= asOf));
    const ids = fossil.map((v) => v.vehicleId);
    const totals = new Map<string, Figures>();
    for (const item of period.items) {
      const total = totals.get(item.vehicle.vehicleId) ?? emptyFigures();
      totals.set(item.vehicle.vehicleId, addFigures(total, item.figures));
    }
    const [candidates, depots] = await Promise.all([this.inputs.candidates(), this.inputs.depots()]);
    const byClass = new Map<string, Candidate[]>();
    for (const candidate of candidates) byClass.set(candidate.vehicleClass, [...(byClass.get(candidate.vehicleClass) ?? []), candidate]);
    // The days above the shortest winter range of the class's candidates come back with the
    // statistics; those above the chosen candidate's range are counted from them.
    const shortestRange = (vehicleClass: string) => Math.min(...(byClass.get(vehicleClass) ?? []).map((c) => c.wltpRangeKm * winterFactor));
    const [stats, dwells] = await Promise.all([
      this.activity.dailyStats(
        fossil.map((v) => ({ vehicleId: v.vehicleId, longerThanKm: byClass.has(v.vehicleClass) ? shortestRange(v.vehicleClass) : Number.MAX_VALUE })),
        from,
        asOf,
      ),
      this.activity.overnightDwells(ids, from, asOf, timeZone),
    ]);
    const statsOf = new Map(stats.map((s) => [s.vehicleId, s]));
    const dwellsOf = new Map<string, typeof dwells>();
    for (const dwell of dwells) dwellsOf.set(dwell.vehicleId, [...(dwellsOf.get(dwell.vehicleId) ?? []), dwell]);
    const chosen = new Map(fossil.map((v) => [v.vehicleId, chooseCandidate(byClass.get(v.vehicleClass) ?? [], statsOf.get(v.vehicleId)?.p95Km ?? 0, winterFactor)]));
    const gridYear = Number(addDays(asOf, -1).slice(0, 4));
    const grid = pickFactor(period.factorSet.factors, 'electricity', gridYear, gridMethod);
    const gridKgPerKwh = grid?.record.wttKgPerUnit ?? null;
    const flags = [...period.flags];
    if (gridKgPerKwh === null) flags.push(`no ${gridMethod} grid factor for ${gridYear} in factor set ${period.factorSet.version}: candidates' WTW counted at 0 kg/kWh`);
    else if (grid!.nearestYear) flags.push(`grid factor of ${grid!.record.year} used for ${gridYear}`);

    const depotsOf = new Map<string, typeof depots>();
    for (const depot of depots) depotsOf.set(depot.organizationId, [...(depotsOf.get(depot.organizationId) ?? []), depot]);
    const rows = fossil.map((vehicle) => {
      const s = statsOf.get(vehicle.vehicleId);
      const f = totals.get(vehicle.vehicleId) ?? emptyFigures();
      const candidate = chosen.get(vehicle.vehicleId) ?? null;
      const vehicleDepots = depotsOf.get(vehicle.departmentId) ?? [];
      // Home depot: the department's depot where the vehicle spends most nights (else its first depot).
      const stops = [...(dwellsOf.get(vehicle.vehicleId) ?? [])].sort((a, b) => b.nights - a.nights);
      const home = vehicleDepots.find((d) => d.id === stops[0]?.depotId) ?? vehicleDepots[0] ?? null;
      const dwell = home ? (stops.find((d) => d.depotId === home.id) ?? null) : null;
      const p95Km = s?.p95Km ?? null;
      const winterRangeKm = candidate ? candidate.wltpRangeKm * winterFactor : null;
      const hoursNeeded = candidate && home && p95Km !== null ? (p95Km * candidate.kwhPerKm) / home.chargerKw : null;
      const daysAboveWinterRange = winterRangeKm === null ? 0 : (s?.longDaysKm.filter((km) => km > winterRangeKm).length ?? 0);
      const { verdict, reasonCode, reason } = verdictOf(
        { drivingDays: s?.drivingDays ?? 0, p95Km, winterRangeKm, daysAboveWinterRange, chargerKw: home?.chargerKw ?? null, overnightDwellHours: dwell?.medianHours ?? null, hoursNeeded },
        candidate,
      );
      const candidateKwh = candidate ? f.distanceKm * candidate.kwhPerKm : null;
      const candidateWtwKg = candidateKwh === null ? null : candidateKwh * (gridKgPerKwh ?? 0);
      const avoidedTtwKgPerYear = candidate ? f.ttwKg : null;
      const avoidedWtwKgPerYear = candidateWtwKg === null ? null : f.wtwKg - candidateWtwKg;
      const cost = costs(f, candidate, candidateKwh, years, query);
      const avoided = boundary === 'ttw' ? avoidedTtwKgPerYear : avoidedWtwKgPerYear;
      return {
        vehicleId: vehicle.vehicleId,
        registration: vehicle.registration,
        vehicleClass: vehicle.vehicleClass,
        energyCarrier: vehicle.energyCarrier,
        departmentId: vehicle.departmentId,
        drivingDays: s?.drivingDays ?? 0,
        distanceKm: f.distanceKm,
        p95DailyKm: p95Km,
        maxDailyKm: s?.maxKm ?? null,
        candidateId: candidate?.id ?? null,
        candidateName: candidate?.name ?? null,
        winterRangeKm,
        daysAboveWinterRange,
        homeDepotId: home?.id ?? null,
        homeDepotName: home?.name ?? null,
        chargerKw: home?.chargerKw ?? null,
        overnightNights: dwell?.nights ?? 0,
        overnightDwellHours: dwell?.medianHours ?? null,
        hoursNeeded,
        actualTtwKgPerYear: f.ttwKg,
        actualWtwKgPerYear: f.wtwKg,
        candidateKwhPerYear: candidateKwh,
        candidateWtwKgPerYear: candidateWtwKg,
        avoidedTtwKgPerYear,
        avoidedWtwKgPerYear,
        ...cost,
        nokPerTonneAvoided: cost.extraCostNok !== null && avoided !== null && avoided > 0 ? cost.extraCostNok / ((avoided * years) / 1000) : null,
        verdict,
        reason,
        reasonCode,
        rank: 0,
        costRank: null as number | null,
      };
    });
    const avoidedOf = (row: (typeof rows)[number]) => (boundary === 'ttw' ? row.avoidedTtwKgPerYear : row.avoidedWtwKgPerYear) ?? -Infinity;
    rows.sort((a, b) => avoidedOf(b) - avoidedOf(a) || a.registration.localeCompare(b.registration));
    rows.forEach((row, i) => (row.rank = i + 1));
    [...rows]
      .filter((row) => row.nokPerTonneAvoided !== null)
      .sort((a, b) => a.nokPerTonneAvoided! - b.nokPerTonneAvoided!)
      .forEach((row, i) => (row.costRank = i + 1));
    return {
      asOf,
      from,
      winterFactor,
      years,
      prices: { petrolNokPerL: query.petrolNokPerL ?? null, dieselNokPerL: query.dieselNokPerL ?? null, electricityNokPerKwh: query.electricityNokPerKwh ?? null },
      boundary,
      gridMethod,
      gridKgPerKwh,
      factorSetVersion: period.factorSet.version,
      factorSetName: period.factorSet.name,
      timeZone,
      rows,
      counts: {
        suitable: rows.filter((r) => r.verdict === 'suitable').length,
        suitable_with_daytime_charging: rows.filter((r) => r.verdict === 'suitable_with_daytime_charging').length,
        not_suitable: rows.filter((r) => r.verdict === 'not_suitable').length,
      },
      flags,
    };
  }

  table(report: Awaited<ReturnType<ElectrificationPlanService['report']>>): ReportTable {
    const keys = Object.keys(report.rows[0] ?? { rank: 0, registration: '', verdict: '', reason: '' });
    const first = ['rank', 'registration', 'verdict', 'reason'];
    const stated = { asOf: report.asOf, boundary: report.boundary, gridMethod: report.gridMethod, factorSetVersion: report.factorSetVersion, winterFactor: report.winterFactor, years: report.years };
    return {
      name: `electrification-plan-${report.asOf}`,
      columns: [...first, ...keys.filter((k) => !first.includes(k)), ...Object.keys(stated)].map((key) => ({ key })),
      rows: report.rows.map((row) => ({ ...row, ...stated })),
      about: {
        ...stated,
        from: report.from,
        factorSetName: report.factorSetName,
        timeZone: report.timeZone,
        gridKgPerKwh: report.gridKgPerKwh,
        ...report.prices,
        flags: report.flags.join('; ') || null,
      },
    };
  }
}

/**
 * Cost over N years: keeping the vehicle costs its energy (the 12 months' fuel at the given
 * prices, N times); the candidate costs its price plus its energy. Null where a price is missing.
 */
function costs(f: Figures, candidate: Candidate | null, candidateKwh: number | null, years: number, query: ElectrificationPlanQuery) {
  const price: Partial<Record<(typeof CARRIERS)[number], number | undefined>> = { petrol: query.petrolNokPerL, diesel: query.dieselNokPerL, electricity: query.electricityNokPerKwh };
  let fossilPerYear: number | null = 0;
  for (const carrier of CARRIERS) {
    const quantity = f.energy[carrier] ?? 0;
    if (quantity === 0) continue;
    const p = price[carrier];
    fossilPerYear = p === undefined || fossilPerYear === null ? null : fossilPerYear + quantity * p;
  }
  const keepCostNok = fossilPerYear === null ? null : fossilPerYear * years;
  const replaceCostNok =
    candidate?.priceNok != null && candidateKwh !== null && query.electricityNokPerKwh !== undefined ? candidate.priceNok + candidateKwh * query.electricityNokPerKwh * years : null;
  return { keepCostNok, replaceCostNok, extraCostNok: keepCostNok !== null && replaceCostNok !== null ? replaceCostNok - keepCostNok : null };
}
