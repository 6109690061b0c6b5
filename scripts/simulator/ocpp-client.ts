/**
 * The OCPP side of the simulator: one WebSocket client per charge point (ocpp-rpc's RPCClient,
 * subprotocol ocpp1.6, HTTP Basic auth with the point's OCPP password, requests checked against the
 * 1.6 schemas before they leave), behaving like a charge point towards its central system:
 *
 * - BootNotification first, then the point's calls one at a time in order (OCPP 1.6 allows one
 *   unanswered CALL per direction), a Heartbeat when it has been quiet for the interval the
 *   central system asked for;
 * - a call that got no answer because the connection dropped or the answer timed out is sent
 *   again once the client has reconnected (ocpp-rpc reconnects with backoff), so the service sees
 *   re-sent calls exactly as from a real charge point;
 * - the transaction ids the central system issues are kept per point and put into the MeterValues
 *   and StopTransaction of their transactions.
 */
import { once } from 'node:events';
import { RPCClient, RPCError, UnexpectedHttpResponse } from 'ocpp-rpc';
import { OCPP_SUBPROTOCOL, OcppAction, OcppCall, requestOf } from './ocpp-calls';

/** The slice of an OCPP client the sink uses, so tests can stand in for a central system. */
export interface OcppConnection {
  /** Resolves once the connection is open, connecting first if it is not; rejects when it cannot be made at all. */
  open(): Promise<void>;
  /** Resolves with the CALLRESULT; rejects with an RPCError for a CALLERROR, with anything else when no answer came. */
  call(action: OcppAction, payload: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(force: boolean): Promise<void>;
}

export interface OcppEndpoint {
  /** ws://host:port/ocpp: the charge box id is appended. */
  url: string;
  /** deviceId -> OCPP password. */
  passwords: ReadonlyMap<string, string>;
  callTimeoutMs?: number;
}

/** A refusal at the upgrade that waiting will not cure (HTTP 400, 401, 404). */
export class OcppRefused extends Error {}

export function rpcConnection(deviceId: string, endpoint: OcppEndpoint): OcppConnection {
  const password = endpoint.passwords.get(deviceId);
  if (password === undefined) throw new Error(`no OCPP password for ${deviceId}`);
  const client = new RPCClient({
    identity: deviceId,
    endpoint: endpoint.url.replace(/\/$/, ''),
    protocols: [OCPP_SUBPROTOCOL],
    strictMode: true,
    password,
    reconnect: true,
    callTimeoutMs: endpoint.callTimeoutMs ?? 30_000,
    // The service pings; a charge point need not.
    pingIntervalMs: 0,
    backoff: { initialDelay: 500, maxDelay: 5_000, factor: 2, randomisationFactor: 0.25 },
  } as ConstructorParameters<typeof RPCClient>[0]);
  // Socket errors surface as failed calls or connects; unheard, they would end the process.
  client.on('socketError', () => undefined);
  return {
    async open() {
      if (client.state === RPCClient.OPEN) return;
      if (client.state === RPCClient.CONNECTING) {
        // Both listeners go when either fires: a call re-sent many times during one reconnect must not pile them up.
        const settled = new AbortController();
        try {
          await Promise.race([
            once(client, 'open', { signal: settled.signal }),
            once(client, 'close', { signal: settled.signal }).then(() => Promise.reject(new Error(`${deviceId}: the client gave up reconnecting`))),
          ]);
        } finally {
          settled.abort();
        }
        return;
      }
      try {
        await client.connect();
      } catch (error) {
        const status = error instanceof UnexpectedHttpResponse ? (error as UnexpectedHttpResponse & { code?: number }).code : undefined;
        if (status === 400 || status === 401 || status === 404) throw new OcppRefused(`${deviceId}: the central system refused the connection with HTTP ${status}`);
        throw error;
      }
    },
    async call(action, payload) {
      return (await client.call(action, payload)) as Record<string, unknown>;
    },
    async close(force) {
      await client.close({ force, awaitPending: !force });
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface PointOptions {
  boot: Record<string, unknown>;
  /** Heartbeat after this long without a call, until the BootNotification answer says otherwise; 0 = never. */
  heartbeatMs: number;
  /** A queued call answered, or failed for good (a CALLERROR, a refused connection, the client closed). */
  onSettled: (error?: Error) => void;
  onResent: () => void;
}

/** One charge point: its connection, its queue of calls and the transaction ids it was given. */
class ChargePointLink {
  private readonly queue: OcppCall[] = [];
  private readonly issued = new Map<string, number>();
  private running: Promise<void> | null = null;
  private booted = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private heartbeatMs: number;
  private closed = false;

  constructor(
    private readonly connection: OcppConnection,
    private readonly options: PointOptions,
  ) {
    this.heartbeatMs = options.heartbeatMs;
  }

  /** Calls queued, the one being sent included. */
  get queued(): number {
    return this.queue.length;
  }

  enqueue(call: OcppCall): void {
    this.queue.push(call);
    this.running ??= this.run().finally(() => (this.running = null));
  }

  async close(force: boolean): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearTimeout(this.heartbeat);
    await this.connection.close(force);
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const call = this.queue[0];
      try {
        if (!this.booted) {
          const answer = await this.exchange('BootNotification', this.options.boot);
          if (typeof answer.interval === 'number' && answer.interval > 0 && this.heartbeatMs > 0) this.heartbeatMs = answer.interval * 1000;
          this.booted = true;
        }
        const answer = await this.exchange(call.action, requestOf(call, this.issued));
        if (call.action === 'StartTransaction') this.issued.set(call.transaction!, Number(answer.transactionId));
        this.options.onSettled();
      } catch (error) {
        this.options.onSettled(error instanceof Error ? error : new Error(String(error)));
      }
      this.queue.shift();
    }
    this.scheduleHeartbeat();
  }

  /** One call until it is answered: sent again after a reconnect when the answer did not come. */
  private async exchange(action: OcppAction, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt += 1) {
      if (this.closed) throw new Error(`${action} not answered before the client closed`);
      try {
        await this.connection.open();
        return await this.connection.call(action, payload);
      } catch (error) {
        if (error instanceof RPCError || error instanceof OcppRefused) throw error;
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)));
        this.options.onResent();
      }
    }
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeat) clearTimeout(this.heartbeat);
    if (this.heartbeatMs <= 0 || this.closed) return;
    this.heartbeat = setTimeout(() => {
      if (this.queue.length > 0 || this.closed) return;
      // A lost heartbeat only means the next one comes a little later.
      void this.exchange('Heartbeat', {}).then(
        () => this.scheduleHeartbeat(),
        () => this.scheduleHeartbeat(),
      );
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }
}

export interface OcppSinkOptions {
  connect: (deviceId: string) => OcppConnection;
  boot: (deviceId: string) => Record<string, unknown>;
  /** Calls queued or unanswered at most, over all points. */
  window: number;
  /** Calls queued or unanswered at most per point (default no limit): publishing waits for that point only. */
  pointWindow?: number;
  heartbeatMs: number;
}

/** The OCPP counterpart of MqttSink: hands calls to their points' clients and waits for room in the window. */
export class OcppSink {
  private readonly links = new Map<string, ChargePointLink>();
  private pending = 0;
  private failed = 0;
  private resent = 0;
  private lastError: Error | null = null;
  private waiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: OcppSinkOptions) {}

  get inFlight(): number {
    return this.pending;
  }

  get failures(): number {
    return this.failed;
  }

  /** Calls sent again after a connection loss or a timeout. */
  get resends(): number {
    return this.resent;
  }

  /** The run stops: a publish waiting for room returns without sending (with the endpoint gone, room would never come). */
  stopWaiting(): void {
    this.stopped = true;
    this.waiters.splice(0).forEach((wake) => wake());
  }

  async publish(call: OcppCall): Promise<void> {
    const pointWindow = this.options.pointWindow ?? Infinity;
    while (!this.stopped && (this.pending >= this.options.window || this.link(call.deviceId).queued >= pointWindow)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.stopped) return;
    if (this.lastError) throw this.lastError;
    this.pending += 1;
    this.link(call.deviceId).enqueue(call);
  }

  async drain(): Promise<void> {
    while (this.pending > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.lastError) throw this.lastError;
  }

  async close(force = false): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.close(force)));
  }

  private link(deviceId: string): ChargePointLink {
    let link = this.links.get(deviceId);
    if (link) return link;
    link = new ChargePointLink(this.options.connect(deviceId), {
      boot: this.options.boot(deviceId),
      heartbeatMs: this.options.heartbeatMs,
      onSettled: (error) => {
        if (error) {
          this.failed += 1;
          this.lastError = error;
        }
        this.pending -= 1;
        this.waiters.splice(0).forEach((wake) => wake());
      },
      onResent: () => (this.resent += 1),
    });
    this.links.set(deviceId, link);
    return link;
  }
}
