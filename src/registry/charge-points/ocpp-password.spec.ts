import { generateOcppPassword, hashOcppPassword, verifyOcppPassword } from './ocpp-password';

describe('OCPP passwords', () => {
  it('verifies the password a hash was made of, and no other', async () => {
    const password = generateOcppPassword();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const stored = await hashOcppPassword(password);
    expect(stored).not.toContain(password);
    expect(await verifyOcppPassword(password, stored)).toBe(true);
    expect(await verifyOcppPassword(Buffer.from(password), stored)).toBe(true);
    expect(await verifyOcppPassword(`${password}x`, stored)).toBe(false);
    expect(await verifyOcppPassword(generateOcppPassword(), stored)).toBe(false);
  });

  it('salts every hash and refuses malformed ones', async () => {
    expect(await hashOcppPassword('the same password')).not.toBe(await hashOcppPassword('the same password'));
    expect(await verifyOcppPassword('x', 'md5$abc')).toBe(false);
    expect(await verifyOcppPassword('x', '')).toBe(false);
  });
});
