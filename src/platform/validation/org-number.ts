/**
 * Norwegian organization numbers (Enhetsregisteret): nine digits, the last a modulus-11 check
 * digit over the first eight with weights 3 2 7 6 5 4 3 2. Spaces are allowed in input.
 */
const WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];

export function normalizeOrgNumber(value: string): string {
  return value.replace(/\s+/g, '');
}

export function isValidOrgNumber(value: string): boolean {
  const digits = normalizeOrgNumber(value);
  if (!/^\d{9}$/.test(digits)) return false;
  const sum = WEIGHTS.reduce((total, weight, index) => total + weight * Number(digits[index]), 0);
  const remainder = sum % 11;
  const check = remainder === 0 ? 0 : 11 - remainder;
  return check !== 10 && check === Number(digits[8]);
}
