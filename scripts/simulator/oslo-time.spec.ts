import { formatTs, isWorkingDay, osloDateOf, osloMidnight, osloTime } from './oslo-time';

describe('Oslo time', () => {
  it('follows summer time', () => {
    expect(new Date(osloMidnight('2019-01-15')).toISOString()).toBe('2019-01-14T23:00:00.000Z');
    expect(new Date(osloMidnight('2019-07-15')).toISOString()).toBe('2019-07-14T22:00:00.000Z');
    // 31 March 2019 has 23 hours, 27 October 25.
    expect(osloMidnight('2019-04-01') - osloMidnight('2019-03-31')).toBe(23 * 3_600_000);
    expect(osloMidnight('2019-10-28') - osloMidnight('2019-10-27')).toBe(25 * 3_600_000);
    expect(new Date(osloTime('2019-03-31', 8 * 60)).toISOString()).toBe('2019-03-31T06:00:00.000Z');
    expect(osloDateOf(Date.parse('2018-12-31T23:30:00Z'))).toBe('2019-01-01');
  });

  it('takes the later instant of the repeated hour and moves the skipped hour forward', () => {
    // 27 October 2019: 02:00-03:00 happens twice; the simulator means the second (winter time).
    expect(new Date(osloTime('2019-10-27', 2 * 60 + 30)).toISOString()).toBe('2019-10-27T01:30:00.000Z');
    expect(new Date(osloTime('2019-10-27', 8 * 60)).toISOString()).toBe('2019-10-27T07:00:00.000Z');
    // 31 March 2019: 02:30 does not exist; it is 03:30 summer time.
    expect(new Date(osloTime('2019-03-31', 2 * 60 + 30)).toISOString()).toBe('2019-03-31T01:30:00.000Z');
    // Minutes past midnight run into the next day's wall clock.
    expect(new Date(osloTime('2019-03-30', 24 * 60 + 8 * 60)).toISOString()).toBe('2019-03-31T06:00:00.000Z');
    expect(osloDateOf(Date.parse('2019-10-27T22:59:59Z'))).toBe('2019-10-27');
    expect(osloDateOf(Date.parse('2019-10-27T23:00:00Z'))).toBe('2019-10-28');
    expect(osloDateOf(Date.parse('2019-03-30T23:00:00Z'))).toBe('2019-03-31');
  });

  it('formats RFC 3339 timestamps', () => {
    expect(formatTs(Date.parse('2019-03-04T07:15:02Z'))).toBe('2019-03-04T07:15:02Z');
  });

  it('knows Norwegian working days', () => {
    expect(isWorkingDay('2019-03-04')).toBe(true); // Monday
    expect(isWorkingDay('2019-03-09')).toBe(false); // Saturday
    expect(isWorkingDay('2019-04-19')).toBe(false); // Good Friday
    expect(isWorkingDay('2019-05-17')).toBe(false); // Constitution Day
    expect(isWorkingDay('2019-06-10')).toBe(false); // Whit Monday
    expect(isWorkingDay('2018-05-10')).toBe(false); // Ascension
  });
});
