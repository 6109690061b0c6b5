/**
 * IPC between `npm run bench:ocpp` (parent) and its client processes (ocpp-clients.ts), each of
 * which holds a slice of the charge points' WebSockets. The parent sends `start` with the config,
 * then one command per phase; a child answers each with an `ocpp` message carrying its result.
 */

export interface OcppClientsConfig {
  /** ws://127.0.0.1:PORT/ocpp */
  url: string;
  /** Charge box ids of this child's charge points. */
  deviceIds: string[];
  password: string;
  /** WebSocket upgrades in progress at once, so the service is not asked for thousands of password checks in one go. */
  connectConcurrency: number;
  /** A charge point's MeterValues number seq is stamped tsBase + seq seconds: unique per (point, ts), all in the past. */
  tsBase: number;
}

export type OcppCommand =
  | { type: 'connect' }
  /** Every point sends `perPoint` MeterValues, one at a time, as fast as they are answered. */
  | { type: 'max'; perPoint: number }
  /** `rate` MeterValues per second over this child's points for `seconds`. */
  | { type: 'fixed'; rate: number; seconds: number }
  /** Connections open now. */
  | { type: 'held' }
  /** Answered keys, after both phases. */
  | { type: 'keys' };

export interface OcppPhaseResult {
  phase: OcppCommand['type'];
  /** connect: points connected and booted; max/fixed: calls answered; held/keys: 0. */
  done: number;
  failed: number;
  /** Calls sent again after a lost answer (reconnect or timeout). */
  resent: number;
  /** Connections open when the phase ended. */
  open: number;
  firstAt: number;
  lastAt: number;
  /** fixed: call -> CALLRESULT, ms, each answered call. */
  latencies?: number[];
  /** keys: per point (index in deviceIds), the seqs answered, as runs [first, last]. */
  answered?: [number, number, number][];
  /** The first errors, for the log. */
  errors: string[];
}
