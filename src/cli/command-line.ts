import { ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../platform/config/app-config';

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

/**
 * Runs a CLI's main and exits as its users expect: 2 after a usage error (with the usage), 1 after
 * an invalid configuration or any other error, which `describe` words (a stack only where the
 * command does not know the error).
 */
export function runCli(main: () => Promise<void>, describe: (error: Error) => string): void {
  main().catch((error: Error) => {
    if (error instanceof UsageError) {
      process.stderr.write(`klimaklok: ${error.message.replace(/\n?$/, '\n')}`);
      process.exit(2);
    }
    process.stderr.write(`klimaklok: ${error instanceof ConfigError ? `invalid configuration: ${error.message}` : describe(error)}\n`);
    process.exit(1);
  });
}
