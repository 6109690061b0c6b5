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
