import { ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** A mistake on the command line: printed with the usage, without a stack trace. */
export class UsageError extends Error {}

/**
 * The command line of a script or CLI, read by node:util's parseArgs: unknown options, a missing
 * value and (unless `positionals` is given) stray arguments are a UsageError that carries the
 * usage; --help / -h prints the usage to stdout and exits 0.
 */
export function readCommandLine<T extends Options>(argv: readonly string[], options: T, usage: string, { positionals = false } = {}) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, ...HELP } as T & typeof HELP, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return parsed;
}

/** A whole-number option: the fallback when not given, else at least `min`. */
export function wholeNumber(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return Number(raw);
}
