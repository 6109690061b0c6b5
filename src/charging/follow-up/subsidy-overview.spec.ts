import { ChargingUsageReport } from '../reports/charging-usage.service';
import { FollowUp } from './follow-up.service';
import { naturalCompare, subsidyOverview } from './subsidy-overview';

const grant = (organizationId: string, organizationName: string, reference: string, statuses: string[], nextDeadline: string | null) => ({
  id: reference,
  reference,
  organizationId,
  organizationName,
  grantedOn: '2019-01-01',
  amountNok: 10_000,
  chargePointCount: 2,
  followUpEndsOn: '2022-01-01',
  nextDeadline,
  periods: statuses.map((status, i) => ({ from: `${2019 + i}-01-01`, to: `${2020 + i}-01-01`, deadline: `${2020 + i}-01-31`, status, submissionId: null, submittedAt: null })),
});

describe('subsidy overview', () => {
  it("counts each cooperative's periods by status, sums its grants and the report's figures of its charge points", () => {
    const followUp = {
      today: '2021-06-01',
      deadlineDays: 30,
      submissions: [],
      grants: [
        grant('b', 'Borettslag 10', 'G-2', ['late', 'missing', 'running'], null),
        grant('a', 'Borettslag 9', 'G-1', ['submitted', 'due'], '2021-06-20'),
        grant('a', 'Borettslag 9', 'G-3', ['running'], '2021-05-30'),
      ],
    } as unknown as FollowUp;
    const point = (organizationId: string, sessions: number, energyKwh: number, availabilityBelow90Pct: boolean) => ({
      organizationId,
      sessions,
      energyKwh,
      availabilityBelow90Pct,
      silentOver7Days: false,
    });
    const usage = { factors: [], chargePoints: [point('a', 3, 10.25, true), point('a', 1, 0.5, false), point('b', 2, 4, false)] } as unknown as ChargingUsageReport;
    const overview = subsidyOverview(2021, followUp, usage);
    expect(overview.cooperatives.map((c) => c.organizationName)).toEqual(['Borettslag 9', 'Borettslag 10']);
    expect(overview.cooperatives[0]).toMatchObject({
      grantReferences: ['G-1', 'G-3'],
      amountNok: 20_000,
      chargePoints: 2,
      sessions: 4,
      energyKwh: 10.75,
      availabilityBelow90Pct: 1,
      submitted: 1,
      due: 1,
      late: 0,
      missing: 0,
      nextDeadline: '2021-05-30',
    });
    expect(overview.cooperatives[1]).toMatchObject({ late: 1, missing: 1, submitted: 0, due: 0, nextDeadline: null, sessions: 2 });
  });

  it('sorts names naturally', () => {
    expect(['plass 10', 'plass 4', 'Plass 11'].sort(naturalCompare)).toEqual(['plass 4', 'plass 10', 'Plass 11']);
  });
});
