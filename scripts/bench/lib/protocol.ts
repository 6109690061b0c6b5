/**
 * IPC messages between the ingest bench (parent) and its child processes (publisher, bare
 * subscriber, naive consumer). Children are started with `fork`, get one `start` message, answer
 * `ready` when connected, and exit on their own when the parent goes away (IPC `disconnect`).
 */
import type { OcppPhaseResult } from './ocpp-protocol';

export interface PublisherConfig {
  url: string;
  topicRoot: string;
  /** Device ids; message i of a run goes to device i % deviceIds.length. */
  deviceIds: string[];
  /** MQTT connections; device d is always published on connection d % connections, so its messages stay in order. */
  connections: number;
  /** Unacknowledged QoS 1 publishes per connection (max mode). */
  window: number;
  mode: 'max' | 'fixed';
  /** max mode: total messages, as fast as PUBACKs come. */
  messages: number;
  /** max mode: ts of a device's message number seq is tsBase + seq (ms), unique per (device, ts). */
  tsBase: number;
  /** fixed mode: messages per second (token bucket) ... */
  rate: number;
  /** ... for this long; ts is the wall clock at the publish call (bumped by 1 ms if a device would repeat it). */
  seconds: number;
}

/** Acknowledged keys as runs of consecutive ms: [device index, first ts, last ts]. */
export type AckedRun = [number, number, number];

export interface PublisherResult {
  /** Wall clock of the first publish call. */
  firstPublishAt: number;
  lastPublishAt: number;
  lastAckAt: number;
  sent: number;
  acked: number;
  failed: number;
  /** fixed mode: how late publish calls went out against the token bucket's schedule (ms, p99 and max). */
  lateP99Ms: number;
  lateMaxMs: number;
  runs: AckedRun[];
}

export type ParentMessage = { type: 'start'; config: unknown } | { type: 'go' } | { type: 'report' } | { type: 'stop' };

export type ChildMessage =
  | { type: 'ocpp'; result: OcppPhaseResult }
  | { type: 'ready' }
  | { type: 'progress'; sent?: number; acked?: number; received?: number; stored?: number; errors?: number; lastAt?: number; firstAt?: number }
  | { type: 'done'; result: PublisherResult }
  | { type: 'report'; received: number; dupFlagged: number; firstAt: number; lastAt: number; stored?: number; errors?: number }
  | { type: 'error'; message: string };

/** Child side: sends a message to the parent, ignoring a parent that is already gone. */
export function tell(message: ChildMessage): void {
  if (process.send && process.connected) process.send(message);
}

/** Child side: the first `start` message's config; the child exits when the parent disconnects. */
export function onParent<T>(handlers: { start: (config: T) => void | Promise<void>; go?: () => void; report?: () => void; stop?: () => void | Promise<void> }): void {
  if (!process.send) {
    process.stderr.write('this script is a child process of `npm run bench:ingest`, not meant to be run alone\n');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ParentMessage) => {
    const fail = (error: unknown) => {
      tell({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      setTimeout(() => process.exit(1), 100);
    };
    try {
      if (message.type === 'start') Promise.resolve(handlers.start(message.config as T)).catch(fail);
      else if (message.type === 'go') handlers.go?.();
      else if (message.type === 'report') handlers.report?.();
      else if (message.type === 'stop') Promise.resolve(handlers.stop?.()).then(() => process.exit(0), fail);
    } catch (error) {
      fail(error);
    }
  });
}
