import { addYears } from '../../platform/time/calendar';
import { followUpPeriods, followUpStatus } from './follow-up-periods';

describe('follow-up periods of a subsidy grant', () => {
  it('are the grant years from the grant day, the last one cut at the end of follow-up, each due 30 days after it ends', () => {
    expect(followUpPeriods('2018-03-12', '2020-09-01')).toEqual([
      { from: '2018-03-12', to: '2019-03-12', deadline: '2019-04-11' },
      { from: '2019-03-12', to: '2020-03-12', deadline: '2020-04-11' },
      { from: '2020-03-12', to: '2020-09-01', deadline: '2020-10-01' },
    ]);
  });

  it('has none when follow-up ends on the grant day, and whole years when it ends on an anniversary', () => {
    expect(followUpPeriods('2019-01-01', '2019-01-01')).toEqual([]);
    expect(followUpPeriods('2018-05-28', '2021-05-28').map((p) => p.to)).toEqual(['2019-05-28', '2020-05-28', '2021-05-28']);
  });

  it('moves 29 February to 28 February in a year without it', () => {
    expect(addYears('2020-02-29', 1)).toBe('2021-02-28');
    expect(addYears('2020-02-29', 4)).toBe('2024-02-29');
  });

  it('reads running, due, missing, submitted and late', () => {
    const period = { from: '2019-01-01', to: '2020-01-01', deadline: '2020-01-31' };
    expect(followUpStatus(period, null, '2019-12-31')).toBe('running');
    expect(followUpStatus(period, null, '2020-01-01')).toBe('due');
    expect(followUpStatus(period, null, '2020-01-31')).toBe('due');
    expect(followUpStatus(period, null, '2020-02-01')).toBe('missing');
    expect(followUpStatus(period, { id: 'a', submittedOn: '2020-01-31' }, '2020-06-01')).toBe('submitted');
    expect(followUpStatus(period, { id: 'a', submittedOn: '2020-02-01' }, '2020-06-01')).toBe('late');
  });
});
