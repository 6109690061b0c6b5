import mqtt from 'mqtt';
import { Client } from 'pg';

/** Profiles the bench can load: the one-value-per-topic publishers, whose assembly is the profile path's cost. */
export const BENCH_PROFILES = ['teslamate', 'ovms-v3'] as const;
export type BenchProfile = (typeof BENCH_PROFILES)[number];

/** Values per device and publication round, as the publishers send a round (one topic each). */
const KEYS_PER_ROUND = 5;

/** `count` vehicles of the profile (TeslaMate car ids 1..n, OVMS `bench/EV<n>`) straight in the database; returns their ids in device order. */
export async function registerProfileDevices(sql: Client, profile: BenchProfile, count: number): Promise<string[]> {
  const department = await sql.query<{ id: string }>(`SELECT id FROM organizations WHERE kind = 'municipal_department' LIMIT 1`);
  const identity = profile === 'teslamate' ? `(g + 1)::text` : `'bench/EV' || lpad(g::text, 5, '0')`;
  const rows = await sql.query<{ id: string; identity: string }>(
    `INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, profile, profile_identity)
     SELECT 'PROF' || lpad(g::text, 6, '0'), 'passenger_car', 'electricity', $1, DATE '2020-01-01', $2, ${identity}
       FROM generate_series(0, $3::int - 1) AS g
     RETURNING id, profile_identity AS identity`,
    [department.rows[0].id, profile, count],
  );
  const indexOf = (identity: string) => (profile === 'teslamate' ? Number(identity) - 1 : Number(identity.slice(-5)));
  const byIndex = new Map(rows.rows.map((row) => [indexOf(row.identity), row.id]));
  return Array.from({ length: count }, (_, i) => byIndex.get(i)!);
}

/** The odometer a device publishes in round `round`: its value in the last round is what must be stored. */
export const odometerOf = (device: number, round: number) => 10_000 + device + round / 10;

function topicOf(profile: BenchProfile, device: number, key: string): string {
  return profile === 'teslamate' ? `teslamate/cars/${device + 1}/${key}` : `ovms/bench/EV${String(device).padStart(5, '0')}/metric/${key}`;
}

/** Round `round` of device `device`: five values on five topics, as the publisher would send them. */
function roundOf(profile: BenchProfile, device: number, round: number): Array<[string, string]> {
  const odometer = odometerOf(device, round).toFixed(1);
  const speed = String(20 + ((device + round) % 60));
  const soc = String(20 + (round % 80));
  if (profile === 'teslamate') {
    return [
      [topicOf(profile, device, 'odometer'), odometer],
      [topicOf(profile, device, 'speed'), speed],
      [topicOf(profile, device, 'battery_level'), soc],
      [topicOf(profile, device, 'state'), 'driving'],
      [topicOf(profile, device, 'location'), JSON.stringify({ latitude: 59.9 + device / 1e5, longitude: 10.5 + round / 1e5 })],
    ];
  }
  return [
    [topicOf(profile, device, 'v/p/odometer'), odometer],
    [topicOf(profile, device, 'v/p/speed'), speed],
    [topicOf(profile, device, 'v/b/soc'), soc],
    [topicOf(profile, device, 'v/p/latitude'), (59.9 + device / 1e5).toFixed(6)],
    [topicOf(profile, device, 'v/p/longitude'), (10.5 + round / 1e5).toFixed(6)],
  ];
}

export interface ProfileLoadResult {
  sent: number;
  /** QoS 1: PUBACKed by the broker; QoS 0: written to the socket (nothing more can be known). */
  acked: number;
  failed: number;
  rounds: number;
  firstPublishAt: number;
  lastAckAt: number;
}

/**
 * Publishes rounds of every device until `messages` values went out: each round gives every device
 * KEYS_PER_ROUND values, so all devices assemble at once. TeslaMate at QoS 1, OVMS at QoS 0 (as
 * the publishers do). `window` publishes unacknowledged per connection at most.
 */
export async function publishProfileLoad(url: string, profile: BenchProfile, devices: number, messages: number, connections: number, window: number): Promise<ProfileLoadResult> {
  const qos = profile === 'teslamate' ? 1 : 0;
  const clients = await Promise.all(
    Array.from({ length: connections }, (_, i) => mqtt.connectAsync(url, { clientId: `bench-profile-${process.pid}-${i}`, clean: true, reconnectPeriod: 0, log: () => undefined })),
  );
  const rounds = Math.ceil(messages / (devices * KEYS_PER_ROUND));
  const result: ProfileLoadResult = { sent: 0, acked: 0, failed: 0, rounds, firstPublishAt: Date.now(), lastAckAt: 0 };
  try {
    await Promise.all(
      clients.map(async (client, lane) => {
        const inFlight = new Set<Promise<void>>();
        for (let round = 0; round < rounds; round++) {
          for (let device = lane; device < devices; device += connections) {
            for (const [topic, payload] of roundOf(profile, device, round)) {
              const sent = client.publishAsync(topic, payload, { qos }).then(
                () => {
                  result.acked++;
                  result.lastAckAt = Date.now();
                },
                () => {
                  result.failed++;
                },
              );
              result.sent++;
              inFlight.add(sent);
              void sent.finally(() => inFlight.delete(sent));
              if (inFlight.size >= window) await Promise.race(inFlight);
            }
          }
        }
        await Promise.all(inFlight);
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.endAsync().catch(() => undefined)));
  }
  return result;
}

/** Devices whose last round's odometer is not in a stored sample (their last values lost). */
export async function devicesMissingLastRound(sql: Client, vehicleIds: string[], rounds: number): Promise<number> {
  const expected = vehicleIds.map((_, device) => odometerOf(device, rounds - 1));
  const result = await sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM unnest($1::uuid[], $2::float8[]) AS e(vehicle_id, odometer_km)
      WHERE NOT EXISTS (SELECT 1 FROM vehicle_samples s WHERE s.vehicle_id = e.vehicle_id AND abs(s.odometer_km - e.odometer_km) < 0.01)`,
    [vehicleIds, expected],
  );
  return Number(result.rows[0].n);
}
