/** Command line of `npm run simulate`. */
import { parseArgs } from 'node:util';
import { DIALECTS, Dialect } from './dialects/wire';
import { IsoDate, parseIsoDate } from './oslo-time';

export interface SimulatorConfig {
  /** Backfill: a past period, published as fast as allowed. Live: from now on, paced by the clock. */
  mode: 'backfill' | 'live';
  from: IsoDate | null;
  to: IsoDate | null;
  /** Simulated seconds per real second; null in a backfill = no pacing at all. */
  speed: number | null;
  /** Live with speed > 1: real minutes it takes the compressed clock to catch up with the real one. */
  catchUpMinutes: number;
  /** Messages per second at most; 0 = no limit. */
  rate: number;
  devices: number | string[] | null;
  seed: number;
  fleetFile: string;
  url: string;
  topicRoot: string;
  dryRun: boolean;
  /** Samples per message in an unpaced backfill. */
  batch: number;
  /** Vehicle sampling: `coarse` (default of unpaced backfills) thins to COARSE_SAMPLING. */
  sampling: 'fine' | 'coarse';
  connections: number;
  /** Publishes awaiting their PUBACK at most, over all connections. */
  inFlight: number;
  summary: boolean;
  /** The dialect of devices whose fleet-file row names no `profile`; null: klimaklok-v1. */
  dialect: Dialect | null;
  /** Which charge points speak OCPP: none (`mqtt`), all (`ocpp`) or those the fleet file says (`fleet`). */
  protocol: 'mqtt' | 'ocpp' | 'fleet';
  /** The service's OCPP endpoint, the charge box id appended. */
  ocppUrl: string;
  /** JSON file of {deviceId: OCPP password}. */
  ocppPasswords: string | null;
  /** Only the devices that report over MQTT, or only the OCPP charge points (null: all), so that the two can run side by side. */
  only: 'mqtt' | 'ocpp' | null;
  help: boolean;
}

/** Fixed, so that running the same backfill twice publishes the same samples and the service keeps them once. */
export const DEFAULT_SEED = 20190101;

export const USAGE = `Usage: npm run simulate -- [options]

Publishes telemetry for the devices of a fleet file over MQTT: contract v1 (QoS 1), or a
publisher's dialect per device (see --dialect).

Modes
  live (default)          simulate from now on; samples go out when their time comes
  --from DATE --to DATE   backfill [from, to) (Europe/Oslo dates, to exclusive) as fast as the
                          broker acknowledges, each device's day sent as JSON arrays of samples

Options
  --speed N               simulated seconds per real second (e.g. 60 = a minute per second). Live
                          with N > 1: the simulated clock starts (N-1) x --catch-up in the past, runs
                          N times as fast and reaches the real clock after --catch-up minutes, then
                          keeps to it, so no sample is ever stamped ahead of the real clock. With
                          --from/--to: replay the period paced (one sample per message).
  --catch-up MINUTES      see --speed (default 60)
  --rate N                at most N messages per second (default: no limit)
  --devices N|ID,ID...    only N devices (round-robin over vehicle kinds and charge points) or these ids
  --seed N                random seed (default ${DEFAULT_SEED}); same seed, same messages
  --fleet FILE            fleet file (default demo/baerum-fleet.yaml)
  --url URL               broker (default $MQTT_URL or mqtt://127.0.0.1:1883)
  --topic-root ROOT       topic root (default $MQTT_TOPIC_ROOT or fleet)
  --dry-run               print {"topic","payload"} JSON lines to stdout instead of publishing
  --batch N               samples per message in a backfill, 1..500 (default 500)
  --sampling fine|coarse  vehicle samples: fine = every minute driving, 15-30 min parked; coarse =
                          every 30 min with the ignition on, every 12 h otherwise and the first
                          sample after every ignition and charging change (a thirteenth of the
                          samples, the same trips and counter totals), charge points'
                          clock-aligned meter every 30 min.
                          Default: coarse for an unpaced backfill, else fine
  --connections N         MQTT connections (default 4)
  --in-flight N           unacknowledged publishes at most (default 256)
  --summary               print message counts and counter totals per year to stderr at the end
  --dialect NAME          what devices speak unless their fleet-file row names a \`profile\`:
                          ${DIALECTS.join(', ')} (default klimaklok-v1, the contract).
                          Vehicle dialects apply to vehicles, evcc to one-connector charge points;
                          the rest stay klimaklok-v1. Identities: the row's profileIdentity, else
                          derived from the deviceId (printed by --dry-run's topics). An unpaced
                          backfill sends teslamate, ovms-v3 and evcc devices in klimaklok-v1
  --protocol P            how charge points report: mqtt (default: all over MQTT), ocpp (all as
                          OCPP 1.6J charge points), fleet (each as its fleet row's protocol says)
  --ocpp-url URL          OCPP endpoint (default $OCPP_URL or ws://127.0.0.1:9220/ocpp)
  --ocpp-passwords FILE   JSON {"deviceId": "password", ...}: each OCPP point's password, as set
                          with POST /api/v1/charge-points/{id}/ocpp-password
  --only mqtt|ocpp        only the devices that report over MQTT, or only the OCPP charge points
                          (as --protocol decides), e.g. to run the two in separate processes
  -h, --help              this text

Progress goes to stderr. When publishing, the last line on stdout is what was sent, as JSON:
{"messages":N,"samples":N,"acknowledged":true|false} (acknowledged: every publish was).
`;

function number(name: string, text: string | undefined, check: (value: number) => boolean, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new Error(`--${name}: invalid value ${JSON.stringify(text)}`);
  return value;
}

function date(name: string, text: string | undefined): IsoDate | null {
  if (text === undefined) return null;
  const parsed = parseIsoDate(text);
  if (!parsed) throw new Error(`--${name}: expected a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  return parsed;
}

export function parseSimulatorArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      speed: { type: 'string' },
      'catch-up': { type: 'string' },
      rate: { type: 'string' },
      devices: { type: 'string' },
      seed: { type: 'string' },
      fleet: { type: 'string' },
      url: { type: 'string' },
      'topic-root': { type: 'string' },
      'dry-run': { type: 'boolean' },
      batch: { type: 'string' },
      sampling: { type: 'string' },
      connections: { type: 'string' },
      'in-flight': { type: 'string' },
      summary: { type: 'boolean' },
      dialect: { type: 'string' },
      protocol: { type: 'string' },
      'ocpp-url': { type: 'string' },
      'ocpp-passwords': { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 0) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const from = date('from', values.from);
  const to = date('to', values.to);
  if ((from === null) !== (to === null)) throw new Error('--from and --to go together (a backfill of [from, to)); leave both out for live mode');
  if (from !== null && to !== null && to <= from) throw new Error('--to must be after --from');
  let devices: number | string[] | null = null;
  if (values.devices !== undefined) {
    devices = /^\d+$/.test(values.devices)
      ? number('devices', values.devices, (n) => Number.isInteger(n) && n >= 1, 0)
      : values.devices
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id.length > 0);
    if (Array.isArray(devices) && devices.length === 0) throw new Error('--devices: no device ids');
  }
  const topicRoot = values['topic-root'] ?? env.MQTT_TOPIC_ROOT ?? 'fleet';
  if (!/^[^#+]+$/.test(topicRoot) || topicRoot.endsWith('/')) throw new Error(`--topic-root: invalid topic root ${JSON.stringify(topicRoot)}`);
  if (values.sampling !== undefined && values.sampling !== 'fine' && values.sampling !== 'coarse') {
    throw new Error(`--sampling: expected fine or coarse, got ${JSON.stringify(values.sampling)}`);
  }
  if (values.dialect !== undefined && !DIALECTS.includes(values.dialect as Dialect)) {
    throw new Error(`--dialect: expected one of ${DIALECTS.join(', ')}, got ${JSON.stringify(values.dialect)}`);
  }
  const protocol = values.protocol ?? 'mqtt';
  if (protocol !== 'mqtt' && protocol !== 'ocpp' && protocol !== 'fleet') throw new Error(`--protocol: expected mqtt, ocpp or fleet, got ${JSON.stringify(protocol)}`);
  if (values.only !== undefined && values.only !== 'mqtt' && values.only !== 'ocpp') throw new Error(`--only: expected mqtt or ocpp, got ${JSON.stringify(values.only)}`);
  const unpacedBackfill = from !== null && values.speed === undefined;
  return {
    mode: from === null ? 'live' : 'backfill',
    from,
    to,
    speed: values.speed === undefined ? null : number('speed', values.speed, (n) => n > 0 && n <= 1_000_000, 1),
    catchUpMinutes: number('catch-up', values['catch-up'], (n) => n > 0, 60),
    rate: number('rate', values.rate, (n) => n >= 0, 0),
    devices,
    seed: number('seed', values.seed, (n) => Number.isSafeInteger(n), DEFAULT_SEED),
    fleetFile: values.fleet ?? 'demo/baerum-fleet.yaml',
    url: values.url ?? env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
    topicRoot,
    dryRun: values['dry-run'] ?? false,
    batch: number('batch', values.batch, (n) => Number.isInteger(n) && n >= 1 && n <= 500, 500),
    sampling: (values.sampling as 'fine' | 'coarse' | undefined) ?? (unpacedBackfill ? 'coarse' : 'fine'),
    connections: number('connections', values.connections, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 4),
    inFlight: number('in-flight', values['in-flight'], (n) => Number.isInteger(n) && n >= 1 && n <= 65_535, 256),
    summary: values.summary ?? false,
    dialect: values.dialect === undefined || values.dialect === 'klimaklok-v1' ? null : (values.dialect as Dialect),
    protocol,
    ocppUrl: values['ocpp-url'] ?? env.OCPP_URL ?? 'ws://127.0.0.1:9220/ocpp',
    ocppPasswords: values['ocpp-passwords'] ?? null,
    only: (values.only as 'mqtt' | 'ocpp' | undefined) ?? null,
    help: values.help ?? false,
  };
}
