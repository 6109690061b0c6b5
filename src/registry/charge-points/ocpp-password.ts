import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * OCPP security profile 1 passwords (HTTP Basic), stored only as a salted scrypt hash in the form
 * `scrypt$N$r$p$salt$hash` (base64), so that the cost can be raised later without a migration.
 * N = 2^10 costs about 3 ms of one core: a charge point's first connection to each `ocpp`
 * process pays it (later ones hit that process's cache), and 5,000 charge points reconnecting
 * after a restart must not queue for minutes. The cost is low because it can be: generated
 * passwords carry 192 random bits and a chosen one has at least 16 characters, beyond guessing
 * even at a fast hash.
 */
const COST = { N: 1024, r: 8, p: 1 };
const KEY_BYTES = 32;

export function generateOcppPassword(): string {
  // base64url: no ':' (Basic auth separates user and password by the first one) and nothing to escape.
  return randomBytes(24).toString('base64url');
}

export async function hashOcppPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Constant time in the password for a well-formed hash; false for any malformed one. */
export async function verifyOcppPassword(password: Buffer | string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

function derive(password: Buffer | string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, { ...cost, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))));
}
