import { MqttClient } from 'mqtt';
import { VERIFIED_MQTT_VERSION } from './mqtt-connection-pool';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const installed: string = require('mqtt/package.json').version;

describe('the MQTT.js release the ingest relies on', () => {
  it('is the exact version the acknowledgement hold was verified against', () => {
    if (installed !== VERIFIED_MQTT_VERSION) {
      throw new Error(
        `MQTT.js is ${installed}, the ingest was verified against ${VERIFIED_MQTT_VERSION}: it replaces the private ` +
          `MqttClient._sendPacket and handleMessage to send a PUBACK only after the commit (mqtt-connection-pool.ts, ` +
          `holdAcknowledgements). Read the new release's client.ts, run the ingest-kill and broker-restart tests, then ` +
          `update VERIFIED_MQTT_VERSION and the exact pin in package.json.`,
      );
    }
  });

  it('still has the methods the acknowledgement hold replaces', () => {
    const client = MqttClient.prototype as unknown as Record<string, unknown>;
    expect(typeof client._sendPacket).toBe('function');
    expect(typeof client.handleMessage).toBe('function');
    expect(typeof client.reschedulePing).toBe('function');
  });
});
