/**
 * The ingest fuzz run, shared by `npm run bench:fuzz` (100,000 payloads against the service as a
 * process of its own) and test/integration/ingest-fuzz.spec.ts (a few thousand, in-process):
 * publishes generated messages (fuzz-payloads.ts) through a real broker while watching the
 * service's health and memory, waits until the pipeline is quiet, then compares what PostgreSQL
 * holds with what the contract says: the valid samples' natural keys as sets, and the dead
 * letters per topic and reason as multisets.
 */
import { createHash, randomBytes } from 'node:crypto';
import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { Client } from 'pg';
import { REJECTION_REASONS } from '../../../src/telemetry/contract/rejection';
import { orgNumber } from './bench-database';
import { FuzzContext, FuzzMessage, RawTable, Route, SampleKey, fuzzMessages } from './fuzz-payloads';

export interface FuzzFleet {
  vehicles: string[];
  chargePoints: string[];
  dualDevice: string;
}

/**
 * The run's devices, written straight into the registry (the ingest hears of them through
 * LISTEN/NOTIFY). Prototype names are registered device ids too: the ingest's device lookup must
 * treat them as any other id.
 */
export async function registerFuzzFleet(sql: Client): Promise<FuzzFleet> {
  const vehicles = [...Array.from({ length: 20 }, (_, i) => `fuzz-veh-${String(i).padStart(2, '0')}`), 'constructor'];
  const chargePoints = [...Array.from({ length: 10 }, (_, i) => `fuzz-cp-${String(i).padStart(2, '0')}`), 'valueOf'];
  const dualDevice = 'fuzz-dual';
  const stem = 97_400_000 + (process.pid % 100_000);
  const organization = async (kind: string, offset: number) =>
    (await sql.query<{ id: string }>(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, $2, $3) RETURNING id`, [orgNumber(stem + offset * 1000), `Fuzz ${kind}`, kind])).rows[0].id;
  const department = await organization('municipal_department', 0);
  const cooperative = await organization('housing_cooperative', 1);
  await sql.query(
    `INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, device_id)
     SELECT 'FUZZ' || lpad(n::text, 4, '0'), 'passenger_car', 'electricity', $1, DATE '2020-01-01', device_id FROM unnest($2::text[]) WITH ORDINALITY AS d(device_id, n)`,
    [department, [...vehicles, dualDevice]],
  );
  await sql.query(
    `INSERT INTO charge_points (organization_id, name, connectors, max_kw, commissioned_on, device_id)
     SELECT $1, 'Fuzz ' || device_id, 2, 22, DATE '2020-01-01', device_id FROM unnest($2::text[]) AS device_id`,
    [cooperative, [...chargePoints, dualDevice]],
  );
  return { vehicles, chargePoints, dualDevice };
}

export interface FuzzRunOptions {
  mqttUrl: string;
  databaseUrl: string;
  topicRoot: string;
  /** The service's BACKFILL_HORIZON_DAYS. */
  horizonDays: number;
  fleet: FuzzFleet;
  payloads: number;
  seed: number;
  /** GET /health of the service: its HTTP status. */
  health: () => Promise<number>;
  /** The service's memory, MiB: its process's RSS, or for a service in this process the RSS it gained during the run; `label` names which. */
  memory: { label: string; mib: () => number; max: number };
  /** Whether the service's process has ended (never, for a service in this process). */
  serviceExited: () => boolean;
  log: (line: string) => void;
}

export interface FuzzReport {
  /** Failed checks, empty when the run passed. */
  failures: string[];
  /** One line with the counts. */
  summary: string;
  /** Messages sent per generator. */
  sentByLabel: Map<string, number>;
}

/**
 * Unacknowledged messages per publishing connection: Mosquitto's max_inflight_messages (20, the
 * Receive Maximum it gives MQTT 5 clients). More QoS 2 messages in flight and it closes the connection.
 */
const WINDOW_PER_CONNECTION = 20;
/** How long the stored counts may stand still, before they are all in, until the run stops waiting. */
const QUIET_MS = 30_000;
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the acknowledged messages must have left in the database. */
class Expectations {
  readonly keys: SampleKey[] = [];
  /** md5(topic) and reason to dead letters expected, with the generator of the first one (for failure messages). */
  readonly deadLetters = new Map<string, { n: number; label: string }>();
  readonly reasons = new Map<string, number>();
  deadLetterTotal = 0;
  /** Natural keys of the dead letters expected so far (as deadLetterIdentities makes them). */
  private readonly identities = new Set<string>();

  add(message: FuzzMessage) {
    this.keys.push(...message.stored);
    const identities = deadLetterIdentities(message);
    for (const [i, reason] of message.deadLetters.entries()) {
      // The service keeps one dead letter per topic, rejected body and sample index: the same bad
      // payload sent again on the same topic (a random one may well be) leaves no second one.
      if (this.identities.has(identities[i])) continue;
      this.identities.add(identities[i]);
      const key = `${md5(String(message.topic))}|${reason}`;
      const entry = this.deadLetters.get(key) ?? { n: 0, label: message.label };
      entry.n++;
      this.deadLetters.set(key, entry);
      this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
      this.deadLetterTotal++;
    }
  }
}

/**
 * What the service's natural key of each dead letter a message must leave is made of (see
 * deadLetterKey): the topic, the rejected body (the whole payload, or the sample's JSON for one
 * sample of an array of two or more, as JSON.stringify writes it) and the sample index. The clear
 * idTags the service replaces by their keyed hash first change nothing about which bodies are equal.
 */
function deadLetterIdentities(message: FuzzMessage): string[] {
  const topic = md5(String(message.topic));
  let elements: unknown[] | undefined;
  const body = (index: number | null): Buffer => {
    if (index === null) return message.payload;
    try {
      elements ??= JSON.parse(message.payload.toString('utf8')) as unknown[];
      return Buffer.from(JSON.stringify(elements[index]));
    } catch {
      return message.payload; // nested too deeply to write out: the service keeps the whole payload too
    }
  };
  return message.deadLetterIndexes.map((index) => `${topic}|${createHash('md5').update(body(index)).digest('hex')}|${index ?? ''}`);
}

/** One publishing connection with a window of unacknowledged messages; it never reconnects by itself. */
class Lane {
  private inFlight = 0;
  private waiting: Array<() => void> = [];
  private constructor(
    private client: MqttClient,
    private readonly options: IClientOptions,
    private readonly url: string,
  ) {}

  get protocol(): string {
    return this.options.protocolVersion === 5 ? '5' : '3.1.1';
  }

  static async open(url: string, protocolVersion: 4 | 5): Promise<Lane> {
    const options: IClientOptions = { clientId: `fuzz-${protocolVersion}-${randomBytes(4).toString('hex')}`, clean: true, reconnectPeriod: 0, protocolVersion };
    return new Lane(await Lane.connect(url, options), options, url);
  }

  /** Each message in flight listens for the connection's close. */
  private static async connect(url: string, options: IClientOptions): Promise<MqttClient> {
    const client = await mqtt.connectAsync(url, options);
    client.setMaxListeners(WINDOW_PER_CONNECTION + 10);
    return client;
  }

  /** Waits for room in the window (and reconnects if the broker closed the connection). */
  async ready(): Promise<void> {
    while (this.inFlight >= WINDOW_PER_CONNECTION) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (!this.client.connected) this.client = await Lane.connect(this.url, this.options);
  }

  /** Resolves when the broker acknowledged; rejects if the connection closes first. Call ready() before. */
  publish(message: FuzzMessage): Promise<void> {
    const client = this.client;
    this.inFlight++;
    return new Promise<void>((resolve, reject) => {
      const closed = () => reject(new Error('the broker closed the connection before acknowledging'));
      client.once('close', closed);
      client.publish(message.topic as string, message.payload, { qos: message.qos }, (error) => {
        client.off('close', closed);
        if (error) reject(error);
        else resolve();
      });
    }).finally(() => {
      this.inFlight--;
      this.waiting.shift()?.();
    });
  }

  async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  close(): Promise<void> {
    return this.client.endAsync(!this.client.connected);
  }
}

/** A message the broker refuses goes on a connection of its own: the broker closes it (Mosquitto < 2.0.22 even after acknowledging). */
async function publishRefused(url: string, message: FuzzMessage): Promise<'closed' | 'acknowledged'> {
  const client = await mqtt.connectAsync(url, { clientId: `fuzz-refused-${randomBytes(4).toString('hex')}`, clean: true, reconnectPeriod: 0 });
  try {
    return await new Promise((resolve) => {
      client.once('close', () => resolve('closed'));
      client.publish(message.topic as string, message.payload, { qos: 1 }, (error) => resolve(error ? 'closed' : 'acknowledged'));
    });
  } finally {
    await client.endAsync(true);
  }
}

/** Watches the service while the run goes on: health answers and resident memory. */
class ServiceWatch {
  probes = 0;
  healthFailures: string[] = [];
  slowestHealthMs = 0;
  peakMemoryMiB = 0;
  exited = false;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(private readonly options: FuzzRunOptions) {}

  start() {
    this.timer = setInterval(() => void this.sample(), 500);
  }

  stop() {
    clearInterval(this.timer);
  }

  private async sample() {
    this.peakMemoryMiB = Math.max(this.peakMemoryMiB, this.options.memory.mib() || 0);
    if (this.options.serviceExited()) this.exited = true;
    // One health request at a time: a service that stalls shows as one slow answer, not a pile of them.
    if (this.probing) return;
    this.probing = true;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const status = await Promise.race([this.options.health(), new Promise((resolve) => (timer = setTimeout(resolve, 10_000, 'no answer within 10 s')))]);
      if (status !== 200) this.healthFailures.push(`${new Date().toISOString()}: ${status}`);
    } catch (error) {
      this.healthFailures.push(`${new Date().toISOString()}: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      this.probes++;
      this.slowestHealthMs = Math.max(this.slowestHealthMs, Date.now() - started);
      this.probing = false;
    }
  }
}

const RAW_TABLES: Record<RawTable, { registry: string; id: string; connector: string }> = {
  vehicle_samples: { registry: 'vehicles', id: 'vehicle_id', connector: 'NULL::int' },
  charge_point_status: { registry: 'charge_points', id: 'charge_point_id', connector: 's.connector_id' },
  charge_point_meter: { registry: 'charge_points', id: 'charge_point_id', connector: 's.connector_id' },
  charge_point_transactions: { registry: 'charge_points', id: 'charge_point_id', connector: 's.connector_id' },
};
const STORED_KEYS = Object.entries(RAW_TABLES)
  .map(([table, t]) => `SELECT '${table}'::text AS tbl, r.device_id, s.ts, ${t.connector} AS connector_id FROM ${table} s JOIN ${t.registry} r ON r.id = s.${t.id}`)
  .join(' UNION ALL ');

async function storedCounts(sql: Client): Promise<{ rows: number; deadLetters: number }> {
  const counts = Object.keys(RAW_TABLES)
    .map((table) => `(SELECT count(*) FROM ${table})`)
    .join(' + ');
  const result = await sql.query<{ rows: string; dead: string }>(`SELECT ${counts} AS rows, (SELECT count(*) FROM dead_letters) AS dead`);
  return { rows: Number(result.rows[0].rows), deadLetters: Number(result.rows[0].dead) };
}

export async function runFuzz(options: FuzzRunOptions): Promise<FuzzReport> {
  const { log } = options;
  const failures: string[] = [];
  const sql = new Client({ connectionString: options.databaseUrl });
  await sql.connect();
  const lanes = await Promise.all([Lane.open(options.mqttUrl, 4), Lane.open(options.mqttUrl, 5)]);
  const watch = new ServiceWatch(options);
  try {
    const startedAt = Date.now();
    const horizonMs = options.horizonDays * 86_400_000;
    // Valid sample times: one per (day of the window, ms of that day), unique across the run.
    const windowDays = options.horizonDays - 150;
    const firstDay = startedAt - (options.horizonDays - 100) * 86_400_000;
    let seq = 0;
    const ctx: FuzzContext = {
      topicRoot: options.topicRoot,
      ...options.fleet,
      horizonMs,
      nextTs: () => {
        const n = seq++;
        return firstDay + (n % windowDays) * 86_400_000 + Math.floor(n / windowDays);
      },
    };
    const expected = new Expectations();

    // The ingest learns the devices through LISTEN/NOTIFY and reloads them all at once: publish a
    // valid sample of the last one registered (the charge point of the dual id) until it is stored.
    const probeTs = ctx.nextTs();
    const probe: FuzzMessage = {
      label: 'probe',
      topic: `${options.topicRoot}/v1/chargepoints/${options.fleet.dualDevice}/status`,
      payload: Buffer.from(JSON.stringify({ ts: probeTs, connectorId: 1, status: 'Available' })),
      qos: 1,
      route: 'service',
      stored: [{ table: 'charge_point_status', deviceId: options.fleet.dualDevice, ts: probeTs, connectorId: 1 }],
      deadLetters: [],
      deadLetterIndexes: [],
    };
    for (let attempt = 0; ; attempt++) {
      await lanes[0].ready();
      await lanes[0].publish(probe);
      await sleep(200);
      if ((await storedCounts(sql)).rows > 0) break;
      if (attempt > 100) throw new Error('the ingest never stored the probe sample');
    }
    expected.add(probe);
    // The unknown_device dead letters of probes sent before the ingest knew the device, once they are all committed.
    await sleep(1000);
    await sql.query('DELETE FROM dead_letters');

    watch.start();
    const sentByLabel = new Map<string, number>();
    const routes = new Map<Route, number>();
    let refusedClosed = 0;
    let refusedAcknowledged = 0;
    let publishFailures = 0;
    let sent = 0;
    let lastProgress = Date.now();
    for (const message of fuzzMessages(options.seed, options.payloads, ctx)) {
      sent++;
      sentByLabel.set(message.label, (sentByLabel.get(message.label) ?? 0) + 1);
      routes.set(message.route, (routes.get(message.route) ?? 0) + 1);
      if (message.route === 'refused_by_broker') {
        if ((await publishRefused(options.mqttUrl, message)) === 'closed') refusedClosed++;
        else refusedAcknowledged++;
      } else {
        // Expected only once acknowledged: what the broker never took cannot be asked of the service.
        const lane = lanes[sent % 2];
        await lane.ready();
        void lane.publish(message).then(
          () => expected.add(message),
          (error: Error) => {
            publishFailures++;
            if (publishFailures <= 5) failures.push(`publishing "${message.label}" (MQTT ${lane.protocol}, QoS ${message.qos}) to ${String(message.topic).slice(0, 100)} failed: ${error.message}`);
          },
        );
      }
      if (Date.now() - lastProgress > 5000) {
        lastProgress = Date.now();
        const counts = await storedCounts(sql);
        log(
          `${sent}/${options.payloads} sent, ${counts.rows} samples and ${counts.deadLetters} dead letters stored, ${options.memory.label} ${options.memory.mib().toFixed(0)} MiB, health ${watch.probes - watch.healthFailures.length}/${watch.probes} ok`,
        );
      }
    }
    await Promise.all(lanes.map((lane) => lane.drain()));
    log(`all ${sent} sent and acknowledged by the broker in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; waiting for the service to store them`);

    // Until everything expected is in, or nothing has changed for QUIET_MS.
    let last = await storedCounts(sql);
    let changedAt = Date.now();
    while (last.rows < expected.keys.length || last.deadLetters < expected.deadLetterTotal) {
      await sleep(500);
      const now = await storedCounts(sql);
      if (now.rows !== last.rows || now.deadLetters !== last.deadLetters) changedAt = Date.now();
      last = now;
      if (Date.now() - changedAt > QUIET_MS) break;
      if (Date.now() - lastProgress > 5000) {
        lastProgress = Date.now();
        log(
          `${now.rows}/${expected.keys.length} samples and ${now.deadLetters}/${expected.deadLetterTotal} dead letters stored, ${options.memory.label} ${options.memory.mib().toFixed(0)} MiB, health ${watch.probes - watch.healthFailures.length}/${watch.probes} ok`,
        );
      }
    }
    // Anything that should not be there would come late: give it a moment.
    await sleep(1000);
    watch.stop();

    // Valid samples: expected and stored keys as sets.
    await sql.query('CREATE TEMP TABLE fuzz_expected (tbl text, device_id text, ts timestamptz, connector_id int)');
    for (let i = 0; i < expected.keys.length; i += 20_000) {
      const chunk = expected.keys.slice(i, i + 20_000);
      await sql.query('INSERT INTO fuzz_expected SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[])', [
        chunk.map((key) => key.table),
        chunk.map((key) => key.deviceId),
        chunk.map((key) => new Date(key.ts).toISOString()),
        chunk.map((key) => key.connectorId),
      ]);
    }
    const missing = await sql.query(`SELECT * FROM fuzz_expected EXCEPT SELECT * FROM (${STORED_KEYS}) AS stored`);
    const unexpected = await sql.query(`SELECT * FROM (${STORED_KEYS}) AS stored EXCEPT SELECT * FROM fuzz_expected`);
    const storedValid = expected.keys.length - missing.rowCount!;
    if (missing.rowCount) failures.push(`${missing.rowCount} valid samples not stored, e.g. ${JSON.stringify(missing.rows.slice(0, 3))}`);
    if (unexpected.rowCount) failures.push(`${unexpected.rowCount} stored samples that were not valid samples sent, e.g. ${JSON.stringify(unexpected.rows.slice(0, 3))}`);

    // Dead letters: per topic and reason, as multisets.
    const actual = await sql.query<{ topic: string; reason: string; n: string }>('SELECT md5(topic) AS topic, reason, count(*) AS n FROM dead_letters GROUP BY 1, 2');
    const actualByReason = new Map<string, number>();
    const unaccountedLines: string[] = [];
    const unexpectedLines: string[] = [];
    let unaccounted = 0;
    let extraDeadLetters = 0;
    const seen = new Set<string>();
    for (const row of actual.rows) {
      const key = `${row.topic}|${row.reason}`;
      const n = Number(row.n);
      const want = expected.deadLetters.get(key);
      seen.add(key);
      actualByReason.set(row.reason, (actualByReason.get(row.reason) ?? 0) + n);
      if (!(REJECTION_REASONS as readonly string[]).includes(row.reason)) failures.push(`${n} dead letters with reason "${row.reason}", not a reason of the contract`);
      if (n > (want?.n ?? 0)) {
        extraDeadLetters += n - (want?.n ?? 0);
        unexpectedLines.push(`${n - (want?.n ?? 0)} unexpected ${row.reason} dead letters on a topic that expected ${want ? `${want.n} (${want.label})` : 'none'}`);
      } else if (want && n < want.n) {
        unaccounted += want.n - n;
        unaccountedLines.push(`${want.n - n} of ${want.n} "${want.label}" messages left no ${row.reason} dead letter`);
      }
    }
    for (const [key, want] of expected.deadLetters) {
      if (seen.has(key)) continue;
      unaccounted += want.n;
      unaccountedLines.push(`${want.n} "${want.label}" messages left no ${key.split('|')[1]} dead letter`);
    }
    failures.push(...unaccountedLines.slice(0, 10), ...unexpectedLines.slice(0, 10));
    if (unaccountedLines.length + unexpectedLines.length > 20) failures.push(`... ${unaccountedLines.length + unexpectedLines.length} dead-letter mismatches in all`);

    if (watch.healthFailures.length) failures.push(`health failed ${watch.healthFailures.length} of ${watch.probes} times: ${watch.healthFailures.slice(0, 3).join('; ')}`);
    if (watch.probes === 0) failures.push('health was never asked');
    if (watch.peakMemoryMiB > options.memory.max) failures.push(`peak ${options.memory.label} ${watch.peakMemoryMiB.toFixed(0)} MiB over the limit of ${options.memory.max} MiB`);
    if (watch.exited || options.serviceExited()) failures.push('the service exited during the run');
    if (publishFailures > 5) failures.push(`... ${publishFailures} publishes failed in all`);

    const reasons = [...new Set([...expected.reasons.keys(), ...actualByReason.keys()])]
      .sort()
      .map((reason) => `${reason} ${actualByReason.get(reason) ?? 0}/${expected.reasons.get(reason) ?? 0}`)
      .join(', ');
    const summary =
      `fuzz ${failures.length ? 'FAILED' : 'passed'}: sent ${sent} (to the service ${routes.get('service') ?? 0}, outside its subscription ${routes.get('outside_subscription') ?? 0}, ` +
      `refused by the broker ${routes.get('refused_by_broker') ?? 0}: ${refusedClosed} closed, ${refusedAcknowledged} acknowledged and dropped); ` +
      `valid samples stored ${storedValid}/${expected.keys.length}, other samples stored ${unexpected.rowCount}; ` +
      `dead letters by reason (stored/expected): ${reasons}; bad payloads unaccounted for ${unaccounted}, unexpected dead letters ${extraDeadLetters}; ` +
      `health ${watch.probes - watch.healthFailures.length}/${watch.probes} ok (slowest ${watch.slowestHealthMs} ms); ` +
      `peak ${options.memory.label} ${watch.peakMemoryMiB.toFixed(0)} MiB (limit ${options.memory.max}); service exits ${watch.exited || options.serviceExited() ? 1 : 0}; ` +
      `${((Date.now() - startedAt) / 1000).toFixed(0)} s`;
    return { failures, summary, sentByLabel };
  } finally {
    watch.stop();
    await Promise.all(lanes.map((lane) => lane.close().catch(() => undefined)));
    await sql.end().catch(() => undefined);
  }
}
