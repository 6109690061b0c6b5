import { statSync } from 'node:fs';
import path from 'node:path';
import { RunningBroker, startBroker } from '../../scripts/lib/mosquitto';
import { sampleKey } from './delivery-check';
import { Message, ResendingPublisher } from './resending-publisher';
import { Sql } from './sql';

/** The broker under test; a restart replaces `current`, and the test's cleanup stops whichever is current. */
export interface BrokerHolder {
  current: RunningBroker;
  configOverrides?: Record<string, string>;
}

export interface BrokerRestartRun {
  signal: 'SIGTERM' | 'SIGKILL';
  broker: BrokerHolder;
  sql: Sql;
  /** device id -> vehicle id of registered vehicles */
  devices: Map<string, string>;
  messages: number;
  perSecond: number;
  /** The broker is stopped once this many messages have been published. */
  stopAfter: number;
  downMs: number;
  /** The service's /health, polled while the broker is down and until it says ok again. */
  healthUrl: string;
  /**
   * Called just before the broker is stopped, and its result just after (e.g. a service paused
   * so that the broker holds a backlog when it is killed, resumed once the broker is gone).
   */
  beforeStop?: () => Promise<() => void>;
  /** Sample times of the run start here (one ms apart), so that runs in one database stay apart. */
  base: number;
  log: (line: string) => void;
}

export interface BrokerRestartOutcome {
  acknowledged: number;
  stored: number;
  /** Acknowledged by the broker to the publisher and not stored. */
  missing: number;
  /** Of the missing, those the broker acknowledged after its last save before the stop: the broker's loss. */
  missingAckedAfterSave: number;
  /** Of the missing, those acknowledged before that save: these the service lost. */
  missingAckedBeforeSave: number;
  /** Everything the broker acknowledged after its last save (what a crash may lose at most). */
  ackedAfterSave: number;
  unexpected: number;
  duplicates: number;
  /** The broker's last save of its persistence file before the stop (file time), if it had one. */
  savedAt: number | undefined;
  /** From the broker's restart to the receive time of the first row stored after it. */
  restartToFirstStoredMs: number | undefined;
  /** /health while the broker was down: HTTP status and the ingest role's status. */
  healthWhileDown: { status: number; ingest: string | undefined; broker: string | undefined } | undefined;
  /** From the broker's restart until /health answered 200. */
  restartToHealthyMs: number | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface HealthBody {
  services?: { broker?: { status?: string } };
  roles?: { ingest?: { status?: string } };
}

async function health(url: string) {
  const response = await fetch(url);
  const body = (await response.json()) as HealthBody;
  return { status: response.status, ingest: body.roles?.ingest?.status, broker: body.services?.broker?.status };
}

function lastSave(dataDir: string): number | undefined {
  try {
    return statSync(path.join(dataDir, 'mosquitto.db')).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * A steady stream of vehicle samples from a publisher that re-sends what is not acknowledged;
 * midway the broker is stopped with `signal`, left down for `downMs` and started again on the
 * same port and persistence folder. Then what is stored is compared, as sets, with what the
 * broker acknowledged to the publisher.
 */
export async function runBrokerRestart(run: BrokerRestartRun): Promise<BrokerRestartOutcome> {
  const deviceIds = [...run.devices.keys()];
  const messages: Message[] = Array.from({ length: run.messages }, (_, i) => {
    const deviceId = deviceIds[i % deviceIds.length];
    const ts = run.base + i;
    return { topic: `fleet/v1/vehicles/${deviceId}/telemetry`, payload: JSON.stringify({ ts, speedKmh: 20, odometerKm: i }), key: sampleKey(run.devices.get(deviceId)!, ts) };
  });
  // The publisher comes back once the ingest has subscribed again (see ResendingPublisher).
  const publisher = await ResendingPublisher.connect(run.broker.current.url, async () => (await health(run.healthUrl)).ingest === 'up');
  let savedAt: number | undefined;
  let restartedAt = 0;
  let healthWhileDown: BrokerRestartOutcome['healthWhileDown'];
  let restartToHealthyMs: number | undefined;
  let restart: Promise<void> | undefined;
  const restartBroker = async () => {
    const broker = run.broker.current;
    const afterStop = await run.beforeStop?.();
    savedAt = run.signal === 'SIGKILL' ? lastSave(broker.dataDir) : undefined;
    run.log(`broker ${run.signal} after ${run.stopAfter} messages published (last save ${savedAt ? new Date(savedAt).toISOString() : 'none'})`);
    await broker.kill(run.signal);
    afterStop?.();
    if (run.signal === 'SIGTERM') savedAt = lastSave(broker.dataDir); // Mosquitto saves on a clean shutdown
    await sleep(Math.min(2000, run.downMs));
    healthWhileDown = await health(run.healthUrl).catch(() => undefined);
    await sleep(Math.max(0, run.downMs - 2000));
    run.broker.current = await startBroker({ port: broker.port, dataDir: broker.dataDir, configOverrides: run.broker.configOverrides });
    restartedAt = Date.now();
    run.log(`broker restarted after ${run.downMs} ms down`);
    for (let i = 0; i < 300 && restartToHealthyMs === undefined; i++) {
      const now = await health(run.healthUrl).catch(() => undefined);
      if (now?.status === 200) restartToHealthyMs = Date.now() - restartedAt;
      else await sleep(100);
    }
  };
  try {
    await publisher.publishAll(messages, run.perSecond, 1000, (count) => {
      if (count === run.stopAfter) restart = restartBroker();
    });
    await restart;
  } finally {
    await publisher.close().catch(() => undefined);
  }
  run.log(`publisher done: ${publisher.acknowledgedAt.size} of ${run.messages} acknowledged by the broker`);

  const from = new Date(run.base).toISOString();
  const to = new Date(run.base + run.messages).toISOString();
  // Until everything acknowledged is stored, or nothing more arrives for 10 s (what a crash lost never comes).
  let stored = -1;
  for (let quietSince = Date.now(); Date.now() - quietSince < 10_000;) {
    const now = await run.sql.count(`SELECT 1 FROM vehicle_samples WHERE ts >= $1 AND ts < $2`, [from, to]);
    if (now >= publisher.acknowledgedAt.size) break;
    if (now !== stored) quietSince = Date.now();
    stored = now;
    await sleep(250);
  }
  const rows = await run.sql.rows<{ key: string }>(
    `SELECT vehicle_id || '|' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS key FROM vehicle_samples WHERE ts >= $1 AND ts < $2`,
    [from, to],
  );
  const keys = new Set(rows.map((row) => row.key));
  const missing = [...publisher.acknowledgedAt].filter(([key]) => !keys.has(key));
  const afterSave = (ackedAt: number) => savedAt === undefined || ackedAt > savedAt;
  const [first] = await run.sql.rows<{ first: Date | null }>(`SELECT min(received_at) AS first FROM vehicle_samples WHERE ts >= $1 AND ts < $2 AND received_at >= $3`, [
    from,
    to,
    new Date(restartedAt).toISOString(),
  ]);
  return {
    acknowledged: publisher.acknowledgedAt.size,
    stored: rows.length,
    missing: missing.length,
    missingAckedAfterSave: missing.filter(([, at]) => afterSave(at)).length,
    missingAckedBeforeSave: missing.filter(([, at]) => !afterSave(at)).length,
    ackedAfterSave: [...publisher.acknowledgedAt.values()].filter((at) => afterSave(at) && at < restartedAt).length,
    unexpected: rows.filter((row) => !publisher.acknowledgedAt.has(row.key)).length,
    duplicates: rows.length - keys.size,
    savedAt,
    restartToFirstStoredMs: first?.first ? new Date(first.first).getTime() - restartedAt : undefined,
    healthWhileDown,
    restartToHealthyMs,
  };
}
