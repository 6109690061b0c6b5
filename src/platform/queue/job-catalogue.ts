/**
 * Every queue and job of the service, with its payload type. Jobs carry ids and time windows,
 * never telemetry: the data is in PostgreSQL and handlers read it from there, so a job can run
 * twice or late and still produce the same figures.
 */
export enum QueueName {
  Derive = 'derive',
}

export enum JobName {
  /** Re-derive one vehicle's figures for one UTC day (state, trips, daily rollup). */
  DeriveVehicleDay = 'derive-vehicle-day',
  /** Re-derive one vehicle over a range of local days (rebuilds, backfills). */
  RebuildVehicle = 'rebuild-vehicle',
  /** Re-derive one charge point's figures around one UTC day (sessions, availability, daily rollups, live state). */
  DeriveChargePointDay = 'derive-charge-point-day',
  /** Re-derive one charge point over a range of local days (rebuilds, session imports). */
  RebuildChargePoint = 'rebuild-charge-point',
}

export interface JobPayloads {
  [JobName.DeriveVehicleDay]: { vehicleId: string; day: string };
  [JobName.RebuildVehicle]: { vehicleId: string; firstDay: string; lastDay: string };
  [JobName.DeriveChargePointDay]: { chargePointId: string; day: string };
  [JobName.RebuildChargePoint]: { chargePointId: string; firstDay: string; lastDay: string };
}

export const JOB_QUEUES: Record<JobName, QueueName> = {
  [JobName.DeriveVehicleDay]: QueueName.Derive,
  [JobName.RebuildVehicle]: QueueName.Derive,
  [JobName.DeriveChargePointDay]: QueueName.Derive,
  [JobName.RebuildChargePoint]: QueueName.Derive,
};

export interface JobRequest<N extends JobName = JobName> {
  name: N;
  payload: JobPayloads[N];
  /**
   * Jobs with the same key are one piece of work: while one waits, another add is dropped; while
   * one runs, one more is kept to run after it (so data that arrived meanwhile is not missed).
   */
  dedupKey: string;
}
