import { DateTime } from 'luxon';
import PDFDocument from 'pdfkit';
import { addDays } from '../../platform/time/calendar';
import { ReportLocale } from '../../reports/export/report-file';
import { naturalCompare } from '../follow-up/subsidy-overview';
import { Submission } from './submission.repository';

const TEXT = {
  nb: {
    title: 'Kvittering for innsendt oppfølgingsrapport',
    subtitle: 'Ladebruk i borettslag med ladetilskudd',
    organization: 'Borettslag',
    grant: 'Tilskuddsreferanse',
    period: 'Periode',
    factorSet: 'Faktorsett (muliggjort unngått utslipp)',
    submission: 'Innsending',
    submittedAt: 'Sendt inn',
    by: 'av nøkkel',
    figures: 'Rapportens tall',
    chargePoints: 'Ladepunkter',
    sessions: 'Økter',
    energy: 'Energi',
    occupied: 'Opptatt tid',
    charging: 'Ladetid',
    utilization: 'Utnyttelse',
    availability: 'Tilgjengelighet',
    users: 'Unike brukere',
    avoided: 'Muliggjort unngått utslipp',
    hours: 'timer',
    perChargePoint: 'Per ladepunkt',
    frozen: 'Tallene er låst slik de var da rapporten ble sendt inn; senere data endrer dem ikke.',
    none: 'ingen',
    substituted: 'erstattet',
  },
  en: {
    title: 'Receipt for a submitted follow-up report',
    subtitle: 'Charging usage in housing cooperatives with a charging subsidy',
    organization: 'Cooperative',
    grant: 'Grant reference',
    period: 'Period',
    factorSet: 'Factor set (enabled avoided emissions)',
    submission: 'Submission',
    submittedAt: 'Submitted',
    by: 'by key',
    figures: 'Figures of the report',
    chargePoints: 'Charge points',
    sessions: 'Sessions',
    energy: 'Energy',
    occupied: 'Occupied time',
    charging: 'Charging time',
    utilization: 'Utilization',
    availability: 'Availability',
    users: 'Unique users',
    avoided: 'Enabled avoided emissions',
    hours: 'h',
    perChargePoint: 'Per charge point',
    frozen: 'The figures are frozen as they were when the report was submitted; later data does not change them.',
    none: 'none',
    substituted: 'substituted',
  },
};
const LOCALES = { nb: 'nb-NO', en: 'en-GB' };

/**
 * The receipt of a submission as a PDF: who submitted which period of which grant, when, with the
 * report's figures rounded as the dashboard shows them (the JSON keeps full precision).
 */
export function receiptPdf(submission: Submission, timeZone: string, locale: ReportLocale = 'nb'): Promise<Buffer> {
  const text = TEXT[locale];
  const number = (value: number | null, digits: number) =>
    value === null ? '–' : new Intl.NumberFormat(LOCALES[locale], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  const percent = (value: number | null) => (value === null ? '–' : locale === 'nb' ? `${number(value, 1)} %` : `${number(value, 1)}%`);
  const { report } = submission;
  const total = report.total;
  const grants = [...new Set(report.chargePoints.map((cp) => cp.subsidyGrantReference).filter(Boolean))].join(', ') || text.none;
  const submittedAt = DateTime.fromJSDate(new Date(submission.submittedAt), { zone: timeZone }).setLocale(LOCALES[locale]).toLocaleString({ dateStyle: 'long', timeStyle: 'medium' });

  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${text.title} ${submission.id}`, Author: 'Klimaklok Fleet Monitor' }, lang: locale === 'nb' ? 'nb-NO' : 'en-GB' });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(16).text(text.title);
  doc.font('Helvetica').fontSize(11).text(text.subtitle).moveDown();
  const line = (label: string, value: string) => doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
  line(text.organization, submission.organizationName);
  line(text.grant, grants);
  line(text.period, `${report.from} – ${addDays(report.to, -1)}`);
  // The factor per kWh as shown (three decimals); the frozen report keeps it in full.
  const factors = report.factors.map((f) => `${f.year}: ${number(f.kgPerKwh, 3)} kg CO2e/kWh (${f.source}${f.substituted ? `, ${text.substituted}` : ''})`).join('; ');
  line(text.factorSet, factors || text.none);
  line(text.submission, submission.id);
  line(text.submittedAt, `${submittedAt} (${timeZone}) ${text.by} ${submission.submittedBy.keyName}`);
  doc.moveDown().font('Helvetica-Bold').fontSize(13).text(text.figures).fontSize(11);
  line(text.chargePoints, number(total.chargePoints, 0));
  line(text.sessions, number(total.sessions, 0));
  line(text.energy, `${number(total.energyKwh, 1)} kWh`);
  line(text.occupied, `${number(total.occupiedHours, 1)} ${text.hours}`);
  line(text.charging, `${number(total.chargingHours, 1)} ${text.hours}`);
  line(text.utilization, percent(total.utilizationPct));
  line(text.availability, percent(total.availabilityPct));
  line(text.users, number(total.uniqueUsers, 0));
  line(text.avoided, `${number(total.enabledAvoidedKg, 1)} kg CO2e`);
  if (report.chargePoints.length > 0) {
    doc.moveDown().font('Helvetica-Bold').fontSize(13).text(text.perChargePoint).fontSize(10).font('Helvetica');
    const rows = [...report.chargePoints].sort((a, b) => naturalCompare(a.name, b.name));
    for (const cp of rows) {
      doc.text(`${cp.name}: ${text.sessions.toLowerCase()} ${number(cp.sessions, 0)}, ${number(cp.energyKwh, 1)} kWh, ${text.availability.toLowerCase()} ${percent(cp.availabilityPct)}`);
    }
  }
  doc.moveDown().fontSize(9).font('Helvetica-Oblique').text(text.frozen);
  doc.end();
  return done;
}
