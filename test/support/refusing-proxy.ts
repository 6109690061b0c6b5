import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { freePort } from '../../scripts/lib/mosquitto';

/**
 * A TCP proxy in front of a real broker that passes every byte through, except that the SUBACKs
 * of chosen clients are turned into refusals (return code 0x80), as a broker answers a
 * subscription its ACL denies. Mosquitto 2.0.11 grants such subscriptions anyway (checked with
 * mosquitto_sub against an ACL without read access), so a test that needs a connected but
 * unsubscribed client injects the refusal here.
 */
export interface RefusingProxy {
  url: string;
  /** Client ids whose SUBACKs are refused while they are in the set. */
  refuse: Set<string>;
  close(): Promise<void>;
}

export async function startRefusingProxy(brokerPort: number): Promise<RefusingProxy> {
  const port = await freePort();
  const refuse = new Set<string>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const broker = net.connect(brokerPort, '127.0.0.1');
    sockets.add(client).add(broker);
    let clientId = '';
    const fromClient = mqttPacket.parser({ protocolVersion: 4 });
    fromClient.on('packet', (packet) => {
      if (packet.cmd === 'connect') clientId = packet.clientId;
    });
    const fromBroker = mqttPacket.parser({ protocolVersion: 4 });
    fromBroker.on('packet', (packet) => {
      if (packet.cmd === 'suback' && refuse.has(clientId)) packet.granted = packet.granted.map(() => 0x80);
      client.write(mqttPacket.generate(packet));
    });
    client.on('data', (chunk) => {
      fromClient.parse(chunk);
      broker.write(chunk);
    });
    broker.on('data', (chunk) => fromBroker.parse(chunk));
    const end = () => {
      client.destroy();
      broker.destroy();
      sockets.delete(client);
      sockets.delete(broker);
    };
    client.on('close', end).on('error', end);
    broker.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    refuse,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
