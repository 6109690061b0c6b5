import fs from 'node:fs';
import path from 'node:path';
import { TestApp, bearer, startTestApp } from '../support/test-app';
import { aChargePoint, aCooperative, aVehicle, anOrganization } from '../support/builders';
import { TestPublisher } from '../support/mqtt-publisher';
import { Sql } from '../support/sql';

/**
 * Must-show 1 of issue 17: each publisher's recorded stream (test/fixtures/profiles, written from
 * the publishers' own code and docs) replayed through the broker gives the same distance, energy,
 * trips and charging sessions as the same drive published in contract v1.
 *
 * The streams last up to 40 minutes; they are replayed SPEEDUP times faster, with
 * PROFILE_ASSEMBLY_WINDOW at 100 ms (the deliveries of one publication cycle come within 40 ms,
 * cycles at least 15 s apart, so 300 ms apart here). The publishers' own times in the payloads
 * (OVMS v.p.gpstime, evcc <root>/updated) are moved onto the replay's timeline the same way;
 * OwnTracks and Teltonika state each record's time and are published at once. The profile
 * samples' times are therefore compressed against the contract stream's: the figures compared
 * are those that do not depend on the time scale (a 50x faster drive is an implausible one for
 * the derivation's 250 km/h rule), computed from the stored samples by the reports-v1 rules:
 * distance and energy as the sums of counter increases, trips as ignition-on periods, charging
 * sessions as charging-on periods (vehicles) or the derived sessions (evcc).
 */
const FIXTURES = path.resolve(__dirname, '../fixtures/profiles');
const SPEEDUP = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Line {
  atMs: number;
  topic: string;
  payload: string;
  retain: boolean;
  qos: 0 | 1;
}
interface Expected {
  registration: { profile: string; profileIdentity: string; prefix?: string; kind?: string; connectors?: number };
  contractDeviceId: string;
  figures: Record<string, unknown>;
}

const lines = (profile: string, file: string): Line[] => {
  const name = path.join(FIXTURES, profile, file);
  return fs.existsSync(name)
    ? fs
        .readFileSync(name, 'utf8')
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text) as Line)
    : [];
};
const expected = (profile: string): Expected => JSON.parse(fs.readFileSync(path.join(FIXTURES, profile, 'expected.json'), 'utf8'));

describe('recorded publisher streams against the same drive in contract v1', () => {
  let t: TestApp;
  let sql: Sql;
  let device: TestPublisher;
  let admin: Record<string, string>;
  let department: string;
  let cooperative: string;

  beforeAll(async () => {
    t = await startTestApp({ INGEST_CONNECTIONS: '2', PROFILE_ASSEMBLY_WINDOW: '100ms' });
    admin = bearer(t.adminKey);
    department = (await t.http().post('/api/v1/organizations').set(admin).send(anOrganization()).expect(201)).body.id;
    cooperative = (await t.http().post('/api/v1/organizations').set(admin).send(aCooperative()).expect(201)).body.id;
    sql = await Sql.connect(t.database.url);
    device = await TestPublisher.connect(t.broker.url);
  });

  afterAll(async () => {
    await device?.close();
    await sql?.close();
    await t?.close();
  });

  /** Registers the profile's device and its contract-v1 twin; the retained snapshot is on the broker before the profile device exists. */
  async function register(profile: string): Promise<{ profileRef: string; contractRef: string }> {
    const { registration, contractDeviceId } = expected(profile);
    for (const line of lines(profile, 'retained.jsonl')) await device.publish(line.topic, line.payload, { qos: 1, retain: true });
    if (registration.kind === 'charge_point') {
      const chargePoint = (overrides: Record<string, unknown>) =>
        t
          .http()
          .post('/api/v1/chargepoints')
          .set(admin)
          .send(aChargePoint(cooperative, { connectors: 1, ...overrides }))
          .expect(201);
      const profileRef = (await chargePoint({ profile: registration.profile, profileIdentity: registration.profileIdentity })).body.id;
      const contractRef = (await chargePoint({ deviceId: contractDeviceId })).body.id;
      return { profileRef, contractRef };
    }
    const vehicle = (overrides: Record<string, unknown>) => t.http().post('/api/v1/vehicles').set(admin).send(aVehicle(department, overrides)).expect(201);
    const profileRef = (await vehicle({ deviceId: null, profile: registration.profile, profileIdentity: registration.profileIdentity })).body.id;
    const contractRef = (await vehicle({ deviceId: contractDeviceId })).body.id;
    return { profileRef, contractRef };
  }

  /**
   * The payload times of the publishers that send their own, moved onto the replay's compressed
   * timeline. The stream time a payload time belongs to is the payload time less the largest
   * (payload time - stream time) of the file: OVMS's gpstime text is rounded down to 128 s steps,
   * and the least rounded one is the closest to its true time. On the wire a new time is never
   * before the rounds published ahead of it; a replay that falls behind its schedule (a busy
   * machine) would break that, so a time is kept after the previous round's actual publication.
   */
  function retime(profile: string, stream: Line[], replayStart: number): (line: Line, previousRoundAt: number) => string {
    const timeKey = profile === 'ovms-v3' ? '/metric/v/p/gpstime' : profile === 'evcc' ? '/updated' : undefined;
    const stamped = stream.filter((line) => timeKey && line.topic.endsWith(timeKey) && line.payload !== '');
    if (!timeKey || stamped.length === 0) return (line) => line.payload;
    const offset = Math.max(...stamped.map((line) => Number(line.payload) * 1000 - line.atMs));
    return (line, previousRoundAt) => {
      if (!line.topic.endsWith(timeKey) || line.payload === '') return line.payload;
      const scheduled = replayStart + (Number(line.payload) * 1000 - offset) / SPEEDUP;
      return String(Math.min(Date.now(), Math.max(scheduled, previousRoundAt + 50)) / 1000);
    };
  }

  async function replay(profile: string, timed: boolean) {
    const stream = lines(profile, 'stream.jsonl');
    const start = Date.now();
    const payloadOf = retime(profile, stream, start);
    let roundAt = start;
    let previousRoundAt = 0;
    let lastAtMs = -Infinity;
    for (const line of stream) {
      if (timed) {
        const due = start + line.atMs / SPEEDUP;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      if (line.atMs - lastAtMs > 500) [previousRoundAt, roundAt] = [roundAt, Date.now()]; // a new publication round
      lastAtMs = line.atMs;
      await device.publish(line.topic, payloadOf(line, previousRoundAt), { qos: line.qos, retain: line.retain });
    }
    for (const line of lines(profile, 'contract-v1.jsonl')) await device.publish(line.topic, line.payload, { qos: 1, retain: false });
  }

  interface VehicleFigures {
    samples: number;
    distanceKm: number;
    energyConsumedKwh: number;
    energyChargedKwh: number;
    trips: number;
    chargingSessions: number;
  }

  async function vehicleFigures(vehicleId: string): Promise<VehicleFigures> {
    const rows = await sql.rows<{ odometer_km: number | null; energy_consumed_kwh: number | null; energy_charged_kwh: number | null; ignition: boolean | null; charging: boolean | null }>(
      `SELECT odometer_km, energy_consumed_kwh, energy_charged_kwh, ignition, charging FROM vehicle_samples WHERE vehicle_id = $1 ORDER BY ts`,
      [vehicleId],
    );
    const increase = (pick: (row: (typeof rows)[number]) => number | null) => {
      let total = 0;
      let last: number | null = null;
      for (const row of rows) {
        const value = pick(row);
        if (value === null) continue;
        if (last !== null && value > last) total += value - last;
        last = value;
      }
      return Math.round(total * 1000) / 1000;
    };
    const periods = (pick: (row: (typeof rows)[number]) => boolean | null) => {
      let count = 0;
      let last = false;
      for (const row of rows) {
        const value = pick(row);
        if (value === null) continue;
        if (value && !last) count++;
        last = value;
      }
      return count;
    };
    return {
      samples: rows.length,
      distanceKm: increase((row) => row.odometer_km),
      energyConsumedKwh: increase((row) => row.energy_consumed_kwh),
      energyChargedKwh: increase((row) => row.energy_charged_kwh),
      trips: periods((row) => row.ignition),
      chargingSessions: periods((row) => row.charging),
    };
  }

  /** Waits until the sample count of a device stops growing. */
  async function settled(count: () => Promise<number>) {
    let last = -1;
    for (let i = 0; i < 60; i++) {
      const now = await count();
      if (now === last && now > 0) return;
      last = now;
      await sleep(500);
    }
  }

  it.each([
    ['teslamate', true],
    ['ovms-v3', true],
    ['owntracks', false],
    ['teltonika-json', false],
  ])('%s: distance, energy, trips and charging sessions equal the contract-v1 drive', async (profile, timed) => {
    const { profileRef, contractRef } = await register(profile as string);
    await sleep(1000); // the ingest subscribes to the profile's topics on its next device reload
    await replay(profile as string, timed as boolean);
    for (const ref of [profileRef, contractRef]) await settled(() => sql.count(`SELECT 1 FROM vehicle_samples WHERE vehicle_id = $1`, [ref]));
    const [fromProfile, fromContract] = [await vehicleFigures(profileRef), await vehicleFigures(contractRef)];
    process.stdout.write(`[recorded ${profile}] profile ${JSON.stringify(fromProfile)} contract ${JSON.stringify(fromContract)}\n`);
    const { samples: _p, ...profileFigures } = fromProfile;
    const { samples: _c, ...contractFigures } = fromContract;
    void _p;
    void _c;
    expect(profileFigures).toEqual(contractFigures);
    const figures = expected(profile as string).figures as { distanceKm: number; trips: number };
    expect(fromProfile.distanceKm).toBeCloseTo(figures.distanceKm, 2);
    expect(fromProfile.trips).toBe(figures.trips);
  });

  it('evcc: the charging session and its energy equal the contract-v1 session', async () => {
    const { profileRef, contractRef } = await register('evcc');
    await sleep(1000);
    await replay('evcc', true);
    const sessions = async (ref: string) => sql.rows<{ energy_kwh: number | null }>(`SELECT energy_kwh FROM charging_sessions WHERE charge_point_id = $1 AND NOT open ORDER BY started_at`, [ref]);
    for (let i = 0; i < 120 && ((await sessions(profileRef)).length === 0 || (await sessions(contractRef)).length === 0); i++) await sleep(500);
    const [fromProfile, fromContract] = [await sessions(profileRef), await sessions(contractRef)];
    process.stdout.write(`[recorded evcc] profile ${JSON.stringify(fromProfile)} contract ${JSON.stringify(fromContract)}\n`);
    expect(fromProfile.length).toBe(fromContract.length);
    expect(fromProfile.map((session) => Math.round(session.energy_kwh! * 1000) / 1000)).toEqual(fromContract.map((session) => Math.round(session.energy_kwh! * 1000) / 1000));
    expect(fromProfile.length).toBe((expected('evcc').figures as { chargingSessions: number }).chargingSessions);
  });
});
