import { lastEndedMonth } from './delivery-period';

describe('lastEndedMonth', () => {
  it('is the month before the local month of now, due at the local start of this one', () => {
    // 23:30 UTC on 30 November is already 1 December in Oslo.
    expect(lastEndedMonth(new Date('2026-11-30T23:30:00Z'), 'Europe/Oslo')).toEqual({ period: '2026-11', from: '2026-11-01', to: '2026-12-01', dueAt: new Date('2026-11-30T23:00:00Z') });
    expect(lastEndedMonth(new Date('2026-11-30T22:30:00Z'), 'Europe/Oslo').period).toBe('2026-10');
  });

  it('turns the year', () => {
    expect(lastEndedMonth(new Date('2027-01-15T12:00:00Z'), 'UTC')).toEqual({ period: '2026-12', from: '2026-12-01', to: '2027-01-01', dueAt: new Date('2027-01-01T00:00:00Z') });
  });
});
