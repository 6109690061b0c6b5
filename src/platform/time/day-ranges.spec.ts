import { addDays } from './calendar';
import { DayRanges, LocalDayRange, UtcDayRange } from './day-ranges';

const plain = (ranges: ReturnType<DayRanges['take']>) => ranges.map(({ key, days }) => ({ key, firstDay: days.firstDay, lastDay: days.lastDay }));

describe('DayRanges', () => {
  it('joins the days of one key into one range, keeps keys apart, and empties on take', () => {
    const ranges = new DayRanges();
    for (const day of ['2019-03-02', '2019-03-01', '2019-03-05']) ranges.add('a', day);
    ranges.add('b', '2019-03-01');
    expect(plain(ranges.take())).toEqual([
      { key: 'a', firstDay: '2019-03-01', lastDay: '2019-03-05' },
      { key: 'b', firstDay: '2019-03-01', lastDay: '2019-03-01' },
    ]);
    expect(ranges.take()).toEqual([]);
  });

  it('keeps days more than a week apart as separate ranges, and merges them once the gap is filled', () => {
    const ranges = new DayRanges();
    ranges.add('a', '2019-01-01');
    ranges.add('a', '2019-03-01');
    expect(ranges.take().map(({ days }) => [days.firstDay, days.lastDay])).toEqual([
      ['2019-01-01', '2019-01-01'],
      ['2019-03-01', '2019-03-01'],
    ]);
    ranges.add('a', '2019-01-01');
    ranges.add('a', '2019-01-14');
    ranges.add('a', '2019-01-07');
    expect(ranges.take().map(({ days }) => [days.firstDay, days.lastDay])).toEqual([['2019-01-01', '2019-01-14']]);
  });

  it('shifts days across month and year ends', () => {
    expect(addDays('2019-12-31', 1)).toBe('2020-01-01');
    expect(addDays('2019-03-01', -1)).toBe('2019-02-28');
  });
});

describe('DayRanges.addDayNumber', () => {
  it('takes days since the epoch like their dates', () => {
    const ranges = new DayRanges();
    ranges.addDayNumber('a', Math.floor(Date.UTC(2019, 2, 1, 23, 59) / 86_400_000));
    ranges.add('a', '2019-03-02');
    expect(plain(ranges.take())).toEqual([{ key: 'a', firstDay: '2019-03-01', lastDay: '2019-03-02' }]);
  });
});

describe('UTC and local day ranges', () => {
  it('widens UTC days by a day on each side: the local days they overlap in any time zone', () => {
    // 2019-03-31 00:30Z is 01:30 in Oslo, 2019-03-30 20:30 in New York: the neighbours are needed.
    const local = new UtcDayRange('2019-03-31', '2019-04-01').localDays();
    expect(local).toBeInstanceOf(LocalDayRange);
    expect([local.firstDay, local.lastDay]).toEqual(['2019-03-30', '2019-04-02']);
  });

  it('does not let one stand for the other', () => {
    const takesLocal = (days: LocalDayRange) => days.firstDay;
    // @ts-expect-error a UTC range is not a local one
    takesLocal(new UtcDayRange('2019-03-31', '2019-03-31'));
    // @ts-expect-error nor is a bare pair of days
    takesLocal({ firstDay: '2019-03-31', lastDay: '2019-03-31' });
    expect(takesLocal(new UtcDayRange('2019-03-31', '2019-03-31').localDays())).toBe('2019-03-30');
  });
});
