import { RPCClient } from 'ocpp-rpc';
import WebSocket from 'ws';

/** A charge point as a real OCPP-J client (ocpp-rpc's RPCClient), strict: it checks the service's answers against the OCPP 1.6 schemas too. */
export async function connectChargePoint(port: number, deviceId: string, password: string, options: { strict?: boolean; reconnect?: boolean } = {}): Promise<RPCClient> {
  const client = new RPCClient({
    endpoint: `ws://127.0.0.1:${port}/ocpp`,
    identity: deviceId,
    password,
    protocols: ['ocpp1.6'],
    strictMode: options.strict ?? true,
    reconnect: options.reconnect ?? false,
    callTimeoutMs: 20_000,
    // The library's typings list every option as required; its defaults fill in the rest.
  } as ConstructorParameters<typeof RPCClient>[0]);
  await client.connect();
  return client;
}

/** A raw WebSocket for what a library client will not send: malformed frames, missing subprotocols. */
export function rawSocket(port: number, path: string, options: { protocols?: string[]; user?: string; password?: string } = {}): WebSocket {
  const headers: Record<string, string> = {};
  if (options.user !== undefined) headers.Authorization = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
  return new WebSocket(`ws://127.0.0.1:${port}${path}`, options.protocols ?? [], { headers });
}

/** The HTTP status a refused upgrade answered with (0 if the upgrade succeeded). */
export function upgradeStatus(socket: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? -1);
      socket.terminate();
    });
    socket.once('open', () => {
      socket.close();
      resolve(0);
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

export function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

export function nextFrame(socket: WebSocket): Promise<unknown[]> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
}
