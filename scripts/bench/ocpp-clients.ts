/**
 * A child of `npm run bench:ocpp`: holds a slice of the bench's charge points, one ocpp-rpc
 * RPCClient each (subprotocol ocpp1.6, HTTP Basic auth), and runs the phases the parent asks for.
 * Like a charge point, each sends one call at a time and sends a call again when its answer was
 * lost (connection dropped, timeout) once it is connected again. Exits when the parent goes away.
 */
import { once } from 'node:events';
import { RPCClient, RPCError } from 'ocpp-rpc';
import { OcppClientsConfig, OcppCommand, OcppPhaseResult } from './lib/ocpp-protocol';
import { tell } from './lib/protocol';

interface Point {
  client: RPCClient;
  /** Seq of the last MeterValues handed out. */
  seq: number;
  answered: number[];
  busy: boolean;
}

let config: OcppClientsConfig;
const points: Point[] = [];
let resent = 0;
let failed = 0;
const errors: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function note(error: unknown): void {
  failed += 1;
  if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
}

async function opened(client: RPCClient): Promise<void> {
  if (client.state === RPCClient.OPEN) return;
  if (client.state === RPCClient.CONNECTING) {
    await Promise.race([once(client, 'open'), sleep(30_000)]);
    return;
  }
  await client.connect();
}

/** One call until it is answered; a CALLERROR is final. */
async function exchange(point: Point, action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await opened(point.client);
      return (await point.client.call(action, payload)) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof RPCError || attempt >= 20) throw error;
      resent += 1;
      await sleep(Math.min(2000, 50 * 2 ** attempt));
    }
  }
}

function meterValues(seq: number): Record<string, unknown> {
  return {
    connectorId: 1,
    meterValue: [{ timestamp: new Date(config.tsBase + seq * 1000).toISOString(), sampledValue: [{ value: String(seq * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
  };
}

async function send(point: Point): Promise<number | null> {
  point.busy = true;
  const seq = (point.seq += 1);
  const started = performance.now();
  try {
    await exchange(point, 'MeterValues', meterValues(seq));
    point.answered.push(seq);
    return performance.now() - started;
  } catch (error) {
    note(error);
    return null;
  } finally {
    point.busy = false;
  }
}

async function connectAll(): Promise<number> {
  let next = 0;
  let booted = 0;
  const worker = async () => {
    while (next < config.deviceIds.length) {
      const identity = config.deviceIds[next++];
      const client = new RPCClient({
        identity,
        endpoint: config.url,
        protocols: ['ocpp1.6'],
        password: config.password,
        strictMode: false,
        reconnect: true,
        // No per-call timer (ocpp-rpc arms one per call, a large share of a client's CPU): the
        // service answers or drops the connection, and the parent's phase timeout covers a hang.
        callTimeoutMs: 0,
        pingIntervalMs: 0,
        backoff: { initialDelay: 500, maxDelay: 5000, factor: 2, randomisationFactor: 0.5 },
      } as ConstructorParameters<typeof RPCClient>[0]);
      client.on('socketError', () => undefined);
      const point: Point = { client, seq: 0, answered: [], busy: false };
      points.push(point);
      try {
        await exchange(point, 'BootNotification', { chargePointVendor: 'Klimaklok Bench', chargePointModel: 'AC 1x11 kW' });
        booted += 1;
      } catch (error) {
        note(error);
      }
    }
  };
  await Promise.all(Array.from({ length: config.connectConcurrency }, worker));
  return booted;
}

async function fixedRate(rate: number, seconds: number): Promise<{ done: number; latencies: number[] }> {
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  let cursor = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) * rate) / 1000);
    for (; sent < due; sent += 1) {
      // The next point that is not waiting for an answer; with thousands of points at 1,000/s there always is one.
      let tries = 0;
      while (points[cursor].busy && tries < points.length) {
        cursor = (cursor + 1) % points.length;
        tries += 1;
      }
      const point = points[cursor];
      cursor = (cursor + 1) % points.length;
      if (point.busy) {
        note(new Error('every point is waiting for an answer'));
        continue;
      }
      inFlight.push(send(point).then((ms) => void (ms !== null && latencies.push(ms))));
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  return { done: latencies.length, latencies };
}

function runs(seqs: number[]): [number, number][] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const seq of sorted) {
    const last = out[out.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}

async function run(command: OcppCommand): Promise<OcppPhaseResult> {
  const [failedBefore, resentBefore] = [failed, resent];
  const firstAt = Date.now();
  let done = 0;
  let latencies: number[] | undefined;
  let answered: [number, number, number][] | undefined;
  if (command.type === 'connect') done = await connectAll();
  if (command.type === 'max') {
    const counts = await Promise.all(
      points.map(async (point) => {
        let ok = 0;
        for (let i = 0; i < command.perPoint; i += 1) if ((await send(point)) !== null) ok += 1;
        return ok;
      }),
    );
    done = counts.reduce((sum, count) => sum + count, 0);
  }
  if (command.type === 'fixed') ({ done, latencies } = await fixedRate(command.rate, command.seconds));
  if (command.type === 'keys') answered = points.flatMap((point, index) => runs(point.answered).map(([first, last]): [number, number, number] => [index, first, last]));
  return {
    phase: command.type,
    done,
    failed: failed - failedBefore,
    resent: resent - resentBefore,
    open: points.filter((point) => point.client.state === RPCClient.OPEN).length,
    firstAt,
    lastAt: Date.now(),
    latencies,
    answered,
    errors: errors.splice(0),
  };
}

if (!process.send) {
  process.stderr.write('this script is a child process of `npm run bench:ocpp`, not meant to be run alone\n');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));
process.on('message', (message: { type: 'start'; config: OcppClientsConfig } | { type: 'stop' } | OcppCommand) => {
  const fail = (error: unknown) => {
    tell({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    setTimeout(() => process.exit(1), 100);
  };
  if (message.type === 'start') {
    config = message.config;
    tell({ type: 'ready' });
  } else if (message.type === 'stop') {
    void Promise.all(points.map((point) => point.client.close({ force: true }))).finally(() => process.exit(0));
  } else {
    run(message).then((result) => tell({ type: 'ocpp', result }), fail);
  }
});
