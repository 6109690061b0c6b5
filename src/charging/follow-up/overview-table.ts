import { ReportColumn, ReportTable } from '../../reports/export/report-file';
import { SubsidyOverview } from './subsidy-overview';

const COLUMNS: ReportColumn[] = [
  { key: 'organizationId' },
  { key: 'organizationName', nb: 'Borettslag' },
  { key: 'grantReferences', nb: 'Tilskuddsreferanser' },
  { key: 'amountNok', nb: 'Tilskudd (kr)', digits: 0 },
  { key: 'chargePoints', nb: 'Ladepunkter', digits: 0 },
  { key: 'sessions', nb: 'Økter', digits: 0 },
  { key: 'energyKwh', nb: 'Energi (kWh)', digits: 1 },
  { key: 'availabilityBelow90Pct', nb: 'Tilgjengelighet under 90 % (ladepunkter)', digits: 0 },
  { key: 'silentOver7Days', nb: 'Stille over 7 døgn (ladepunkter)', digits: 0 },
  { key: 'submitted', nb: 'Levert i tide', digits: 0 },
  { key: 'late', nb: 'Levert for sent', digits: 0 },
  { key: 'missing', nb: 'Mangler', digits: 0 },
  { key: 'due', nb: 'Til levering', digits: 0 },
  { key: 'nextDeadline', nb: 'Neste frist' },
];

/** The overview as a file: one row per cooperative (its periods are in the JSON, not in the file). */
export function overviewTable(overview: SubsidyOverview): ReportTable {
  return {
    name: `subsidy-overview-${overview.year}`,
    columns: COLUMNS,
    rows: overview.cooperatives.map((c) => ({ ...c, grantReferences: c.grantReferences.join(', ') })),
    about: { report: 'subsidy-overview', year: overview.year, today: overview.today, deadlineDays: overview.deadlineDays },
    cover: {
      organization: overview.cooperatives.map((c) => c.organizationName).join(', '),
      grantReference: overview.cooperatives.flatMap((c) => c.grantReferences).join(', '),
      period: `${overview.year}-01-01 – ${overview.year}-12-31`,
      factorSet: overview.factorSet,
    },
  };
}
