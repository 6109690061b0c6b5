import { DayRanges, shiftDay } from './day-ranges';

describe('DayRanges', () => {
  it('joins the days of one key into one range, keeps keys apart, and empties on take', () => {
    const ranges = new DayRanges();
    for (const day of ['2019-03-02', '2019-03-01', '2019-03-05']) ranges.add('a', day);
    ranges.add('b', '2019-03-01');
    expect(ranges.take()).toEqual([
      { key: 'a', firstDay: '2019-03-01', lastDay: '2019-03-05' },
      { key: 'b', firstDay: '2019-03-01', lastDay: '2019-03-01' },
    ]);
    expect(ranges.take()).toEqual([]);
  });

  it('keeps days more than a week apart as separate ranges, and merges them once the gap is filled', () => {
    const ranges = new DayRanges();
    ranges.add('a', '2019-01-01');
    ranges.add('a', '2019-03-01');
    expect(ranges.take().map((r) => [r.firstDay, r.lastDay])).toEqual([
      ['2019-01-01', '2019-01-01'],
      ['2019-03-01', '2019-03-01'],
    ]);
    ranges.add('a', '2019-01-01');
    ranges.add('a', '2019-01-14');
    ranges.add('a', '2019-01-07');
    expect(ranges.take().map((r) => [r.firstDay, r.lastDay])).toEqual([['2019-01-01', '2019-01-14']]);
  });

  it('shifts days across month and year ends', () => {
    expect(shiftDay('2019-12-31', 1)).toBe('2020-01-01');
    expect(shiftDay('2019-03-01', -1)).toBe('2019-02-28');
  });
});

describe('DayRanges.addDayNumber', () => {
  it('takes days since the epoch like their dates', () => {
    const ranges = new DayRanges();
    ranges.addDayNumber('a', Math.floor(Date.UTC(2019, 2, 1, 23, 59) / 86_400_000));
    ranges.add('a', '2019-03-02');
    expect(ranges.take()).toEqual([{ key: 'a', firstDay: '2019-03-01', lastDay: '2019-03-02' }]);
  });
});
