/**
 * The baseline: the naive ingest design, as its own process. One MQTT connection, a plain
 * handler, one TypeORM `save()` per message (TypeORM loads the row by primary key, then inserts it,
 * in a transaction of its own), and the QoS 1 acknowledgement only after that save returned, so
 * that it has the same durability promise as the real pipeline.
 */
import 'reflect-metadata';
import mqtt, { MqttClient } from 'mqtt';
import { Column, DataSource, Entity, PrimaryColumn, Repository } from 'typeorm';
import { onParent, tell } from './lib/protocol';

@Entity({ name: 'vehicle_samples' })
class NaiveVehicleSample {
  @PrimaryColumn('uuid', { name: 'vehicle_id' })
  vehicleId: string;

  @PrimaryColumn('timestamptz')
  ts: Date;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @Column('double precision', { name: 'odometer_km', nullable: true })
  odometerKm: number | null;

  @Column('double precision', { name: 'speed_kmh', nullable: true })
  speedKmh: number | null;

  @Column('double precision', { nullable: true })
  lat: number | null;

  @Column('double precision', { nullable: true })
  lon: number | null;

  @Column('double precision', { name: 'soc_pct', nullable: true })
  socPct: number | null;
}

interface NaiveConfig {
  url: string;
  databaseUrl: string;
  topicRoot: string;
}

let dataSource: DataSource | undefined;
let client: MqttClient | undefined;
let stored = 0;
let errors = 0;
let received = 0;

const num = (value: unknown): number | null => (typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : null);

onParent<NaiveConfig>({
  async start(config) {
    dataSource = await new DataSource({ type: 'postgres', url: config.databaseUrl, entities: [NaiveVehicleSample], synchronize: false, logging: false }).initialize();
    const repository: Repository<NaiveVehicleSample> = dataSource.getRepository(NaiveVehicleSample);
    const devices = new Map<string, string>();
    for (const row of (await dataSource.query(`SELECT device_id, id FROM vehicles WHERE device_id IS NOT NULL`)) as Array<{ device_id: string; id: string }>) {
      devices.set(row.device_id, row.id);
    }

    const handle = async (topic: string, payload: Buffer) => {
      const deviceId = topic.split('/')[3];
      const vehicleId = devices.get(deviceId);
      if (!vehicleId) return;
      const body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      const sample = new NaiveVehicleSample();
      sample.vehicleId = vehicleId;
      sample.ts = new Date(num(body.ts) ?? String(body.ts));
      sample.receivedAt = new Date();
      sample.odometerKm = num(body.odometerKm);
      sample.speedKmh = num(body.speedKmh);
      sample.lat = num(body.lat);
      sample.lon = num(body.lon);
      sample.socPct = num(body.socPct);
      await repository.save(sample);
      stored++;
    };

    client = mqtt.connect(config.url, {
      clientId: `bench-naive-consumer-${process.pid}`,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      // Off: MQTT.js handles the PINGRESP in turn behind the publishes it holds until their save
      // returned, and with a backlog on the wire that is longer than the keepalive allows, which
      // would cut this connection (the ingest's pool meets the same; see the bench's report).
      keepalive: 0,
    });
    // Acknowledge after the save: MQTT.js sends the PUBACK when this callback runs.
    client.handleMessage = (packet, done) => {
      received++;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      handle(packet.topic, payload).then(
        () => done(),
        (error) => {
          errors++;
          process.stderr.write(`naive consumer: ${(error as Error).message}\n`);
          done();
        },
      );
    };
    client.on('close', () => tell({ type: 'error', message: 'naive consumer connection closed' }));
    await new Promise<void>((resolve, reject) => {
      client!.once('connect', () => resolve());
      client!.once('error', reject);
    });
    await client.subscribeAsync(`${config.topicRoot}/v1/vehicles/+/telemetry`, { qos: 1 });
    setInterval(() => tell({ type: 'progress', received, stored, errors }), 1000);
    tell({ type: 'ready' });
  },
  report() {
    tell({ type: 'report', received, dupFlagged: 0, firstAt: 0, lastAt: 0, stored, errors });
  },
  async stop() {
    client?.removeAllListeners('close');
    await client?.endAsync(true);
    await dataSource?.destroy();
  },
});
