import { AddressInfo } from 'node:net';
import { RPCServer, createRPCError } from 'ocpp-rpc';
import type { OcppAction, OcppCall } from './ocpp-calls';
import { OcppConnection, OcppSink, rpcConnection } from './ocpp-client';

const call = (deviceId: string, action: OcppAction, payload: Record<string, unknown>, transaction?: string): OcppCall => ({ deviceId, action, payload, transaction, at: 0, samples: 1 });
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A central system behind a connection that can drop the answer of chosen calls. */
class FakeCentralSystem {
  readonly received: { deviceId: string; action: OcppAction; payload: Record<string, unknown> }[] = [];
  /** Calls whose answer is lost: the connection drops after the call arrived. */
  drop = new Set<number>();
  reject = new Set<OcppAction>();
  inFlight = 0;
  maxInFlight = 0;
  private nextId = 41;

  connection(deviceId: string): OcppConnection {
    return {
      open: async () => undefined,
      call: async (action, payload) => {
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
          await turn();
          this.received.push({ deviceId, action, payload });
          if (this.drop.delete(this.received.length - 1)) throw new Error('Client disconnected');
          if (this.reject.has(action)) throw createRPCError('NotImplemented', `${action} refused`);
          if (action === 'BootNotification') return { status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 };
          if (action === 'StartTransaction') return { transactionId: (this.nextId += 1), idTagInfo: { status: 'Accepted' } };
          return {};
        } finally {
          this.inFlight -= 1;
        }
      },
      close: async () => undefined,
    };
  }
}

const sinkFor = (central: FakeCentralSystem, window = 100) =>
  new OcppSink({ connect: (deviceId) => central.connection(deviceId), boot: () => ({ chargePointVendor: 'V', chargePointModel: 'M' }), window, heartbeatMs: 0 });

describe('OCPP client side of the simulator', () => {
  it("boots, then sends each point's calls one at a time in order with the issued transaction id", async () => {
    const central = new FakeCentralSystem();
    const sink = sinkFor(central);
    await sink.publish(call('cp-a', 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: '2019-01-01T17:00:00Z' }, '1'));
    await sink.publish(call('cp-a', 'MeterValues', { connectorId: 1, meterValue: [] }, '1'));
    await sink.publish(call('cp-a', 'StopTransaction', { meterStop: 5, timestamp: '2019-01-02T07:00:00Z', reason: 'Local' }, '1'));
    await sink.publish(call('cp-b', 'StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError' }));
    await sink.drain();
    const ofA = central.received.filter((r) => r.deviceId === 'cp-a');
    expect(ofA.map((r) => r.action)).toEqual(['BootNotification', 'StartTransaction', 'MeterValues', 'StopTransaction']);
    expect(ofA.slice(2).map((r) => r.payload.transactionId)).toEqual([42, 42]);
    expect(central.received.filter((r) => r.deviceId === 'cp-b').map((r) => r.action)).toEqual(['BootNotification', 'StatusNotification']);
    // Two points at once, never two calls of one point.
    expect(central.maxInFlight).toBe(2);
  });

  it('sends a call again when its answer was lost, and keeps the order', async () => {
    const central = new FakeCentralSystem();
    central.drop = new Set([2]);
    const sink = sinkFor(central);
    for (const status of ['Preparing', 'Charging', 'Finishing']) await sink.publish(call('cp-a', 'StatusNotification', { connectorId: 1, status, errorCode: 'NoError' }));
    await sink.drain();
    expect(central.received.map((r) => r.payload.status ?? r.action)).toEqual(['BootNotification', 'Preparing', 'Charging', 'Charging', 'Finishing']);
    expect(sink.resends).toBe(1);
    expect(sink.failures).toBe(0);
  });

  it('keeps a window of unanswered calls and stops at a CALLERROR', async () => {
    const central = new FakeCentralSystem();
    const sink = sinkFor(central, 2);
    let handedOver = 0;
    const publishing = (async () => {
      for (let i = 0; i < 3; i += 1) {
        await sink.publish(call(`cp-${i}`, 'Heartbeat', {}));
        handedOver += 1;
      }
    })();
    await turn();
    expect(handedOver).toBe(2);
    await publishing;
    await sink.drain();
    central.reject.add('MeterValues');
    await sink.publish(call('cp-0', 'MeterValues', { connectorId: 0, meterValue: [] }));
    await expect(sink.drain()).rejects.toThrow(/MeterValues refused/);
    expect(sink.failures).toBe(1);
    await expect(sink.publish(call('cp-0', 'Heartbeat', {}))).rejects.toThrow(/MeterValues refused/);
  });

  it('with a window per point, a point whose calls wait holds back publishing for itself only', async () => {
    const central = new FakeCentralSystem();
    const sink = new OcppSink({ connect: (deviceId) => central.connection(deviceId), boot: () => ({}), window: 100, pointWindow: 2, heartbeatMs: 0 });
    let busy = 0;
    const busyPoint = (async () => {
      for (let i = 0; i < 5; i += 1) {
        await sink.publish(call('cp-busy', 'Heartbeat', {}));
        busy += 1;
      }
    })();
    await turn();
    expect(busy).toBe(2); // the third waits for an answer to cp-busy
    await sink.publish(call('cp-quiet', 'Heartbeat', {})); // goes at once, no answer to cp-busy came
    expect(busy).toBe(2);
    expect(sink.inFlight).toBe(3);
    await busyPoint;
    await sink.drain();
    expect(central.received.filter((r) => r.deviceId === 'cp-busy' && r.action === 'Heartbeat')).toHaveLength(5);
  });

  it('lets a publish that waits for room return when the run stops', async () => {
    const central = new FakeCentralSystem();
    const sink = sinkFor(central, 1);
    await sink.publish(call('cp-a', 'Heartbeat', {}));
    let returned = false;
    const waiting = sink.publish(call('cp-a', 'Heartbeat', {})).then(() => (returned = true));
    await Promise.resolve();
    expect(returned).toBe(false);
    sink.stopWaiting();
    await waiting;
    expect(returned).toBe(true);
    await sink.drain();
    expect(central.received.filter((r) => r.action === 'Heartbeat')).toHaveLength(1);
  });

  describe('with ocpp-rpc on both ends', () => {
    let server: RPCServer;
    let url: string;
    const received: string[] = [];
    let dropNextStatus = true;

    beforeAll(async () => {
      server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
      server.auth((accept, reject, handshake) => {
        if (handshake.identity !== 'cp-a') return reject(404, 'Not Found');
        if (String(handshake.password) !== 'a-password-of-16+') return reject(401, 'Unauthorized');
        accept();
      });
      server.on('client', (client) => {
        client.handle('BootNotification', async () => ({ status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 }));
        client.handle('StatusNotification', async ({ params }: { params?: Record<string, unknown> }) => {
          received.push(String(params!.status));
          if (dropNextStatus) {
            // The connection breaks before the answer leaves, as when the service is killed mid-call.
            dropNextStatus = false;
            await client.close({ force: true });
          }
          return {};
        });
      });
      const http = await server.listen(0, '127.0.0.1');
      url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ocpp`;
    });

    afterAll(async () => {
      await server.close({ force: true });
    });

    it('authenticates with Basic auth, reconnects and re-sends the call whose answer was lost', async () => {
      const endpoint = { url, passwords: new Map([['cp-a', 'a-password-of-16+']]) };
      const sink = new OcppSink({ connect: (deviceId) => rpcConnection(deviceId, endpoint), boot: () => ({ chargePointVendor: 'V', chargePointModel: 'M' }), window: 10, heartbeatMs: 0 });
      try {
        for (const status of ['Preparing', 'Charging']) await sink.publish(call('cp-a', 'StatusNotification', { connectorId: 1, status, errorCode: 'NoError', timestamp: '2019-01-01T17:00:00Z' }));
        await sink.drain();
        expect(received).toEqual(['Preparing', 'Preparing', 'Charging']);
        expect(sink.resends).toBeGreaterThanOrEqual(1);
      } finally {
        await sink.close(true);
      }
    });

    it('gives up on a wrong password (401) and an unknown charge box (404)', async () => {
      for (const [deviceId, password, status] of [
        ['cp-a', 'wrong-password-xxxx', 401],
        ['cp-z', 'a-password-of-16+', 404],
      ] as const) {
        const endpoint = { url, passwords: new Map([[deviceId, password]]) };
        const sink = new OcppSink({ connect: (id) => rpcConnection(id, endpoint), boot: () => ({ chargePointVendor: 'V', chargePointModel: 'M' }), window: 10, heartbeatMs: 0 });
        try {
          await sink.publish(call(deviceId, 'Heartbeat', {}));
          await expect(sink.drain()).rejects.toThrow(new RegExp(`HTTP ${status}`));
        } finally {
          await sink.close(true);
        }
      }
    });

    it('refuses to send a request that breaks the 1.6 schema', async () => {
      const endpoint = { url, passwords: new Map([['cp-a', 'a-password-of-16+']]) };
      const sink = new OcppSink({ connect: (id) => rpcConnection(id, endpoint), boot: () => ({ chargePointVendor: 'V', chargePointModel: 'M' }), window: 10, heartbeatMs: 0 });
      try {
        await sink.publish(call('cp-a', 'StatusNotification', { connectorId: 1, status: 'Sleeping', errorCode: 'NoError' }));
        await expect(sink.drain()).rejects.toThrow(/status/);
      } finally {
        await sink.close(true);
      }
    });
  });
});
