import { BENCH_PROFILES, BenchProfile } from './profile-load';
export const PHASES = ['ceiling', 'ours', 'fixed', 'baseline'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  messages: number;
  devices: number;
  rate: number;
  fixedSeconds: number;
  baselineMessages: number;
  publisherConnections: number;
  window: number;
  pollMs: number;
  /** Passed to the service only when given; otherwise the service's own defaults apply. */
  ingestConnections?: number;
  batchMaxRows?: number;
  batchMaxWaitMs?: number;
  phases: Set<Phase>;
  cpuProf?: string;
  serviceMetrics: boolean;
  check: boolean;
  quick: boolean;
  /** A publisher profile whose path is measured beside contract v1's in the same run (phase `profile`). */
  profile?: BenchProfile;
}

export const USAGE = `Usage: npm run bench:ingest -- [options]

Drives the ingest role (node dist/src/main.js, APP_ROLES=ingest) with QoS 1 telemetry from a
publisher process through the project's Mosquitto config and measures it against a bare MQTT.js
subscriber (ceiling) and a naive one-save-per-message consumer (baseline).

  --messages N             messages of the ceiling and ours max-rate phases (default 2000000)
  --devices N              simulated vehicles (default 2000)
  --rate N                 fixed rate of the latency phase, msg/s (default 5000)
  --fixed-seconds N        length of the latency phase (default 30)
  --baseline-messages N    messages for the naive consumer (default 30000)
  --publisher-connections N  publisher MQTT connections (default 8)
  --window N               unacknowledged publishes per publisher connection (default 256)
  --poll-ms N              commit poll interval of the latency phase (default 20)
  --ingest-connections N   INGEST_CONNECTIONS for the service (default: the service's)
  --batch-max-rows N       INGEST_BATCH_MAX_ROWS (default: the service's)
  --batch-max-wait-ms N    INGEST_BATCH_MAX_WAIT_MS (default: the service's)
  --phases a,b             any of ${PHASES.join(',')} (default all)
  --quick                  200000 messages, 10 s fixed rate, 10000 baseline messages (development)
  --profile NAME           also load the ingest in a publisher profile (${BENCH_PROFILES.join(', ')}) after the ours phase, 2000 devices assembling at once
  --cpu-prof DIR           run the ingest of the ours phase under node --cpu-prof, profile written to DIR
  --service-metrics        diagnostic: run the measured ingest with APP_ROLES=ingest,api and print its
                           /metrics (batch size, commit time, re-delivered duplicates) per phase
  --check                  exit 1 when a target of the issue is missed
  --help
`;

/** A mistake on the command line: printed without a stack trace. */
export class UsageError extends Error {}

const KNOWN = ['messages', 'devices', 'rate', 'fixed-seconds', 'baseline-messages', 'publisher-connections', 'window', 'poll-ms', 'ingest-connections', 'batch-max-rows', 'batch-max-wait-ms', 'phases', 'quick', 'cpu-prof', 'check', 'service-metrics', 'help', 'profile'];

export function parseArgs(argv: string[]): BenchOptions {
  const given = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"\n${USAGE}`);
    const [name, inline] = arg.slice(2).split('=', 2);
    if (!KNOWN.includes(name)) throw new UsageError(`unknown option --${name}\n${USAGE}`);
    if (['quick', 'check', 'help', 'service-metrics'].includes(name)) given.set(name, true);
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      given.set(name, value);
    }
  }
  if (given.has('help')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = given.has('quick');
  const int = (name: string, fallback: number, min = 1): number => {
    const raw = given.get(name);
    if (raw === undefined) return fallback;
    if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${raw}"`);
    return Number(raw);
  };
  const optional = (name: string, min = 0) => (given.has(name) ? int(name, 0, min) : undefined);
  const phases = new Set<Phase>();
  // With --profile the comparison needs contract v1's max rate only, unless phases are asked for.
  const defaultPhases = given.has('profile') ? 'ours' : PHASES.join(',');
  for (const phase of String(given.get('phases') ?? defaultPhases).split(',').map((p) => p.trim()).filter(Boolean)) {
    if (!PHASES.includes(phase as Phase)) throw new UsageError(`unknown phase "${phase}" (phases: ${PHASES.join(', ')})`);
    phases.add(phase as Phase);
  }
  const cpuProf = given.get('cpu-prof');
  return {
    messages: int('messages', quick ? 200_000 : 2_000_000),
    devices: int('devices', 2000),
    rate: int('rate', 5000),
    fixedSeconds: int('fixed-seconds', quick ? 10 : 30),
    baselineMessages: int('baseline-messages', quick ? 10_000 : 30_000),
    publisherConnections: int('publisher-connections', 8),
    window: int('window', 256),
    pollMs: int('poll-ms', 20),
    ingestConnections: optional('ingest-connections', 1),
    batchMaxRows: optional('batch-max-rows', 1),
    batchMaxWaitMs: optional('batch-max-wait-ms', 0),
    phases,
    cpuProf: typeof cpuProf === 'string' ? cpuProf : undefined,
    serviceMetrics: given.has('service-metrics'),
    check: given.has('check'),
    quick,
    profile: profileOption(given.get('profile')),
  };
}

function profileOption(raw: string | boolean | undefined): BenchProfile | undefined {
  if (raw === undefined) return undefined;
  if (!BENCH_PROFILES.includes(raw as BenchProfile)) throw new UsageError(`--profile must be one of ${BENCH_PROFILES.join(', ')}, got "${String(raw)}"`);
  return raw as BenchProfile;
}
