/**
 * What a profile decoder makes of one MQTT delivery of another publisher's dialect
 * (shared/spec/device-profiles.md). Decoders are pure: the ingest decides what a result becomes
 * (a sample through the contract's normaliser, a connection event, a counted skip, a dead letter).
 */
export type DecodedDelivery =
  /** A contract-v1 telemetry body (`ts` as epoch ms), checked later by normaliseVehicleSample like any other. */
  | { kind: 'telemetry'; identity: string; body: Record<string, unknown> }
  /** `ts` null: the event happened when it was received. */
  | { kind: 'connection'; identity: string; state: 'online' | 'offline'; ts: number | null }
  /** Understood and deliberately not stored (counted). */
  | { kind: 'ignored'; identity: string; reason: string }
  /** A dead letter: the payload is not what the publisher documents. */
  | { kind: 'invalid'; identity: string | null; detail: string };
