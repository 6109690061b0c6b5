import { AppConfig, Role } from '../config/app-config';
import { BrokerProbe } from './broker-probe.service';

const probeFor = (roles: Role[]) => new BrokerProbe({ roles: new Set(roles), mqttUrl: 'mqtt://127.0.0.1:1' } as unknown as AppConfig);

describe('BrokerProbe', () => {
  it('watches the broker in a process with the api or ingest role', () => {
    expect(probeFor(['api']).watched).toBe(true);
    expect(probeFor(['ingest', 'worker']).watched).toBe(true);
  });

  it('leaves the broker be in a worker or OCPP process: no connection, nothing to log', async () => {
    const probe = probeFor(['ocpp', 'worker']);
    expect(probe.watched).toBe(false);
    probe.onModuleInit();
    expect((probe as unknown as { client?: unknown }).client).toBeUndefined();
    await probe.onApplicationShutdown();
  });
});
