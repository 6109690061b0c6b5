import { RunningBroker } from '../../lib/mosquitto';
import { deleteRedisKeys } from '../../lib/redis-keys';
import { BenchDatabase } from './bench-database';
import { killAllNow, stopAll } from './children';

export interface BenchLeftovers {
  /** What the bench is called in its log lines ("the bench", "the fuzz run"). */
  name: string;
  log: (line: string) => void;
  /** Brokers running at the time of the cleanup. */
  brokers: () => Iterable<RunningBroker>;
  /** The bench's database, once made; it is dropped. */
  database: () => BenchDatabase | undefined;
  redisUrl: string;
  /** The Redis keys under this prefix are deleted. */
  redisPrefix: string;
  /** Called first on SIGINT / SIGTERM. */
  onSignal?: () => void;
}

/**
 * Stops everything a bench started (child processes, brokers), deletes its Redis keys and drops
 * its database, on every way out: the returned cleanup at its normal end, and by itself on an
 * uncaught error, SIGINT or SIGTERM; child processes are SIGKILLed on a plain exit.
 * The cleanup runs once however often it is called.
 */
export function cleanUpOnEveryExit(bench: BenchLeftovers): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await stopAll().catch(() => undefined);
      for (const broker of [...bench.brokers()]) await broker.stop().catch(() => undefined);
      await deleteRedisKeys(bench.redisUrl, bench.redisPrefix).catch((error) => bench.log(`could not delete Redis keys ${bench.redisPrefix}:*: ${(error as Error).message}`));
      const db = bench.database();
      if (db) {
        await db.close();
        await db.drop().catch((error) => bench.log(`could not drop ${db.url}: ${(error as Error).message}`));
      }
    })());

  process.on('exit', killAllNow);
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (error: unknown) => {
      bench.log(`${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      void cleanup().finally(() => process.exit(1));
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      bench.onSignal?.();
      bench.log(`${signal}: stopping everything ${bench.name} started`);
      void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  return cleanup;
}
