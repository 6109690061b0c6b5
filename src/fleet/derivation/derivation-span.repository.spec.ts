import { withCustomPlans, withGenericPlans } from '../../platform/database/generic-plans';
import { DerivationSpan, derivationPlans } from './derivation-span.repository';

function spanOfDays(days: number): DerivationSpan {
  const spanStart = new Date('2026-11-30T23:00:00Z');
  const spanEnd = new Date(spanStart.getTime() + days * 86_400_000);
  return { vehicleId: 'v', spanStart, spanEnd, firstDay: '2026-12-01', lastDay: '2026-12-01', lo: spanStart, hi: spanEnd, timeZone: 'Europe/Oslo' };
}

describe('derivationPlans', () => {
  it('plans live spans (up to a week) generically, and longer backfills for their values', () => {
    expect(derivationPlans(spanOfDays(1))).toBe(withGenericPlans);
    expect(derivationPlans(spanOfDays(7))).toBe(withGenericPlans);
    expect(derivationPlans(spanOfDays(8))).toBe(withCustomPlans);
    expect(derivationPlans(spanOfDays(365))).toBe(withCustomPlans);
  });
});
