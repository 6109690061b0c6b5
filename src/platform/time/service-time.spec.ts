import { coverageOf, elapsedOf, inServiceSeconds } from './service-time';

const OSLO = 'Europe/Oslo';

describe('service time', () => {
  it('counts the in-service seconds of a period in local days (DST: 2019 has 365 x 24 h in Oslo)', () => {
    const year = inServiceSeconds({ inServiceFrom: '2015-01-01', inServiceTo: null }, '2019-01-01', '2020-01-01', new Date('2026-01-01T00:00:00Z'), OSLO);
    expect(year).toBe(365 * 86_400);
    // March 2019 has a 23-hour day in Oslo.
    expect(inServiceSeconds({ inServiceFrom: '2015-01-01', inServiceTo: null }, '2019-03-01', '2019-04-01', new Date('2026-01-01T00:00:00Z'), OSLO)).toBe(31 * 86_400 - 3600);
    // And October one of 25 hours; the days themselves too.
    expect(inServiceSeconds({ inServiceFrom: '2015-01-01', inServiceTo: null }, '2019-10-01', '2019-11-01', new Date('2026-01-01T00:00:00Z'), OSLO)).toBe(31 * 86_400 + 3600);
    expect(inServiceSeconds({ inServiceFrom: '2015-01-01', inServiceTo: '2019-03-31' }, '2019-03-31', '2019-04-01', new Date('2026-01-01T00:00:00Z'), OSLO)).toBe(23 * 3600);
    expect(inServiceSeconds({ inServiceFrom: '2019-10-27', inServiceTo: null }, '2019-10-01', '2019-10-28', new Date('2026-01-01T00:00:00Z'), OSLO)).toBe(25 * 3600);
  });

  it('clips to the service dates (the last one inclusive) and to now', () => {
    const service = { inServiceFrom: '2019-03-10', inServiceTo: '2019-03-19' };
    expect(inServiceSeconds(service, '2019-01-01', '2020-01-01', new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe(10 * 86_400);
    expect(inServiceSeconds(service, '2019-03-15', '2020-01-01', new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe(5 * 86_400);
    expect(inServiceSeconds(service, '2019-03-20', '2020-01-01', new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe(0);
    expect(inServiceSeconds({ inServiceFrom: '2019-01-01', inServiceTo: null }, '2019-01-01', '2020-01-01', new Date('2019-01-03T12:00:00Z'), 'UTC')).toBe(2.5 * 86_400);
    expect(inServiceSeconds({ inServiceFrom: '2019-01-01', inServiceTo: null }, '2019-01-01', '2020-01-01', new Date('2018-06-01T00:00:00Z'), 'UTC')).toBe(0);
  });

  it('says how much of a period has elapsed', () => {
    expect(elapsedOf('2019-01-01', '2019-02-01', new Date('2019-01-11T00:00:00Z'), 'UTC')).toEqual({ periodEndsAt: '2019-02-01T00:00:00.000Z', periodEnded: false, elapsedHours: 240 });
    expect(elapsedOf('2019-01-01', '2019-02-01', new Date('2020-01-01T00:00:00Z'), OSLO)).toEqual({ periodEndsAt: '2019-01-31T23:00:00.000Z', periodEnded: true, elapsedHours: 744 });
    expect(coverageOf(10, 0)).toBe(0);
    expect(coverageOf(5, 10)).toBe(0.5);
    expect(coverageOf(11, 10)).toBe(1);
  });
});
