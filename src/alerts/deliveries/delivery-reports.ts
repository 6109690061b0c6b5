import { Injectable } from '@nestjs/common';
import { ChargingUsageService, usageTable } from '../../charging/reports/charging-usage.service';
import { FleetKpisQuery } from '../../emissions/reports/emission-report.dto';
import { EmissionReportsService } from '../../emissions/reports/emission-reports.service';
import { toXlsx } from '../../reports/export/report-file';
import { Mail } from '../channels/mail-sender';
import { ClaimedDelivery } from './scheduled-delivery.repository';
import { MonthPeriod } from './delivery-period';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const round = (value: number | null, digits = 1) => (value === null ? 'n/a' : value.toFixed(digits));

/** The mail of a scheduled delivery, made by the same report and export code as the API's files. */
@Injectable()
export class DeliveryReports {
  constructor(
    private readonly usage: ChargingUsageService,
    private readonly emissions: EmissionReportsService,
  ) {}

  async mailOf(delivery: ClaimedDelivery, month: MonthPeriod): Promise<Mail> {
    return delivery.kind === 'cooperative_charging_usage' ? this.chargingUsage(delivery, month) : this.fleetKpis(delivery, month);
  }

  /** A cooperative's monthly follow-up: the charging-usage report of the month as XLSX. */
  private async chargingUsage(delivery: ClaimedDelivery, month: MonthPeriod): Promise<Mail> {
    const report = await this.usage.report(delivery.organizationId!, month.from, month.to);
    const table = usageTable(report);
    const { total } = report;
    return {
      to: delivery.recipient,
      subject: `Charging usage ${month.period}`,
      text: [
        `Charging usage of your charge points, ${month.from} to ${month.to} (exclusive), ${report.timeZone}.`,
        `Charge points: ${total.chargePoints}; sessions: ${total.sessions}; energy: ${round(total.energyKwh)} kWh; availability: ${round(total.availabilityPct)} %.`,
        `Charge points silent for more than 7 days: ${total.silentOver7Days}; below 90 % availability: ${total.availabilityBelow90Pct}.`,
        'The attached workbook has the figures per charge point.',
      ].join('\n'),
      attachments: [{ filename: `${table.name}.xlsx`, content: await toXlsx(table), contentType: XLSX }],
    };
  }

  /** The climate office's monthly summary: the fleet KPIs of the year so far. */
  private async fleetKpis(delivery: ClaimedDelivery, month: MonthPeriod): Promise<Mail> {
    const year = Number(month.period.slice(0, 4));
    const report = await this.emissions.fleetKpis(Object.assign(new FleetKpisQuery(), { year }));
    const table = this.emissions.kpisTable(report);
    return {
      to: delivery.recipient,
      subject: `Fleet KPIs ${year} to the end of ${month.period}`,
      text: [
        `Fleet KPIs of ${year} up to ${month.to} (exclusive).`,
        `Vehicles at year end: ${report.totals.vehiclesAtYearEnd}; zero-emission share by count: ${round(report.zeroEmissionShare.byCount === null ? null : report.zeroEmissionShare.byCount * 100)} %.`,
        `Distance: ${round(report.totals.distanceKm)} km; emissions: ${round(report.totals.actualKg)} kg CO2e; avoided: ${round(report.totals.avoidedKg)} kg CO2e.`,
        'The attached workbook has every figure.',
      ].join('\n'),
      attachments: [{ filename: `${table.name}.xlsx`, content: await toXlsx(table), contentType: XLSX }],
    };
  }
}
