import { isValidOrgNumber, normalizeOrgNumber } from './org-number';

describe('organization numbers', () => {
  it.each(['935478715', '935 478 715', '974760673'])('accepts %s', (value) => {
    expect(isValidOrgNumber(value)).toBe(true);
  });

  it.each(['935478716', '12345678', '9354787150', 'abcdefghi', ''])('rejects %s', (value) => {
    expect(isValidOrgNumber(value)).toBe(false);
  });

  it('strips spaces', () => {
    expect(normalizeOrgNumber('935 478 715')).toBe('935478715');
  });
});
