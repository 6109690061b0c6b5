/**
 * The ceiling: one bare MQTT.js subscriber (QoS 1, acknowledged as soon as the handler returns)
 * that only parses each payload as JSON. What the broker, the client library and this machine can
 * move at all, with nothing stored.
 */
import mqtt, { MqttClient } from 'mqtt';
import { onParent, tell } from './lib/protocol';

interface SubscriberConfig {
  url: string;
  topic: string;
}

let client: MqttClient | undefined;
let received = 0;
let dupFlagged = 0;
let parseErrors = 0;
let firstAt = 0;
let lastAt = 0;

onParent<SubscriberConfig>({
  async start(config) {
    client = await mqtt.connectAsync(config.url, {
      clientId: `bench-bare-subscriber-${process.pid}`,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      keepalive: 0, // as the naive consumer: a PINGRESP queued behind a backlog must not cut the run
    });
    client.on('message', (_topic, payload, packet) => {
      try {
        JSON.parse(payload.toString('utf8'));
      } catch {
        parseErrors++;
      }
      if (packet.dup) dupFlagged++;
      lastAt = Date.now();
      if (received++ === 0) firstAt = lastAt;
    });
    client.on('close', () => tell({ type: 'error', message: 'bare subscriber connection closed' }));
    await client.subscribeAsync(config.topic, { qos: 1 });
    setInterval(() => tell({ type: 'progress', received, lastAt }), 1000);
    tell({ type: 'ready' });
  },
  report() {
    tell({ type: 'report', received, dupFlagged, firstAt, lastAt, errors: parseErrors });
  },
  async stop() {
    client?.removeAllListeners('close');
    await client?.endAsync(true);
  },
});
