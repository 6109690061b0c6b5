/** Machine-readable reasons a message or sample is not stored (telemetry contract v1, "Rejections"). */
export const REJECTION_REASONS = [
  'malformed_json',
  'payload_too_large',
  'unknown_topic',
  'unknown_device',
  'device_kind_mismatch',
  'schema_violation',
  'timestamp_in_future',
  'timestamp_too_old',
  'empty_sample',
  /** Valid by the contract but refused by the database (e.g. a number beyond its range): kept, not lost. */
  'storage_rejected',
  /**
   * The service failed to read it (a bug of ours, not the device's): dead-lettered with the error so
   * that one message cannot hold an ingest connection's acknowledgements forever.
   */
  'decode_error',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export class Rejection {
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {}
}
