import { UsageError, readCommandLine, wholeNumber } from '../../../src/cli/command-line';
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

export { UsageError };

export function parseArgs(argv: string[]): BenchOptions {
  const number = { type: 'string' } as const;
  const flag = { type: 'boolean' } as const;
  const { values } = readCommandLine(
    argv,
    {
      messages: number,
      devices: number,
      rate: number,
      'fixed-seconds': number,
      'baseline-messages': number,
      'publisher-connections': number,
      window: number,
      'poll-ms': number,
      'ingest-connections': number,
      'batch-max-rows': number,
      'batch-max-wait-ms': number,
      phases: { type: 'string' },
      quick: flag,
      'cpu-prof': { type: 'string' },
      check: flag,
      'service-metrics': flag,
      profile: { type: 'string' },
    },
    USAGE,
  );
  const quick = values.quick ?? false;
  const int = (name: keyof typeof values & string, fallback: number, min = 1) => wholeNumber(name, values[name] as string | undefined, fallback, min);
  const optional = (name: keyof typeof values & string, min = 0) => (values[name] === undefined ? undefined : int(name, 0, min));
  const phases = new Set<Phase>();
  // With --profile the comparison needs contract v1's max rate only, unless phases are asked for.
  const defaultPhases = values.profile !== undefined ? 'ours' : PHASES.join(',');
  for (const phase of (values.phases ?? defaultPhases)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (!PHASES.includes(phase as Phase)) throw new UsageError(`unknown phase "${phase}" (phases: ${PHASES.join(', ')})`);
    phases.add(phase as Phase);
  }
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
    cpuProf: values['cpu-prof'],
    serviceMetrics: values['service-metrics'] ?? false,
    check: values.check ?? false,
    quick,
    profile: profileOption(values.profile),
  };
}

function profileOption(raw: string | undefined): BenchProfile | undefined {
  if (raw === undefined) return undefined;
  if (!BENCH_PROFILES.includes(raw as BenchProfile)) throw new UsageError(`--profile must be one of ${BENCH_PROFILES.join(', ')}, got "${String(raw)}"`);
  return raw as BenchProfile;
}
