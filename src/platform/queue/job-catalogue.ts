import { UtcDayRange } from '../time/day-ranges';

/**
 * Every queue and job of the service, with its payload type. Jobs carry ids and time windows,
 * never telemetry: the data is in PostgreSQL and handlers read it from there, so a job can run
 * twice or late and still produce the same figures.
 */
export enum QueueName {
  Derive = 'derive',
  /** Alert notifications to webhooks and mailboxes: other people's servers, retried on their own schedule. */
  Notify = 'notify',
}

export enum JobName {
  /** New samples of one vehicle on a range of UTC days: re-derive state, trips and daily rollups there. */
  DeriveVehicleDays = 'derive-vehicle-days',
  /** Re-derive one vehicle over a range of local days (rebuilds, backfills). */
  RebuildVehicle = 'rebuild-vehicle',
  /** New data of one charge point on a range of UTC days: re-derive sessions, availability, daily rollups and live state there. */
  DeriveChargePointDays = 'derive-charge-point-days',
  /** Re-derive one charge point over a range of local days (rebuilds, session imports). */
  RebuildChargePoint = 'rebuild-charge-point',
  /** Send one alert notification (webhook or e-mail) recorded in alert_notifications. */
  DeliverAlertNotification = 'deliver-alert-notification',
}

/** Payloads are JSON: day ranges travel as their two YYYY-MM-DD strings, UTC or local as the job's name says. */
export interface JobPayloads {
  [JobName.DeriveVehicleDays]: { vehicleId: string; firstDay: string; lastDay: string };
  [JobName.RebuildVehicle]: { vehicleId: string; firstDay: string; lastDay: string };
  [JobName.DeriveChargePointDays]: { chargePointId: string; firstDay: string; lastDay: string };
  [JobName.RebuildChargePoint]: { chargePointId: string; firstDay: string; lastDay: string };
  [JobName.DeliverAlertNotification]: { notificationId: string };
}

export const JOB_QUEUES: Record<JobName, QueueName> = {
  [JobName.DeriveVehicleDays]: QueueName.Derive,
  [JobName.RebuildVehicle]: QueueName.Derive,
  [JobName.DeriveChargePointDays]: QueueName.Derive,
  [JobName.RebuildChargePoint]: QueueName.Derive,
  [JobName.DeliverAlertNotification]: QueueName.Notify,
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

/** New samples of a vehicle on a range of UTC days; requests for the same vehicle and range are one piece of work. */
export function deriveVehicleDays(vehicleId: string, { firstDay, lastDay }: UtcDayRange): JobRequest<JobName.DeriveVehicleDays> {
  return { name: JobName.DeriveVehicleDays, payload: { vehicleId, firstDay, lastDay }, dedupKey: `vehicle:${vehicleId}:${firstDay}:${lastDay}` };
}

/** New data of a charge point on a range of UTC days; requests for the same charge point and range are one piece of work. */
export function deriveChargePointDays(chargePointId: string, { firstDay, lastDay }: UtcDayRange): JobRequest<JobName.DeriveChargePointDays> {
  return {
    name: JobName.DeriveChargePointDays,
    payload: { chargePointId, firstDay, lastDay },
    dedupKey: `charge-point:${chargePointId}:${firstDay}:${lastDay}`,
  };
}

/** One alert notification to send; a notification is one piece of work however often it is requested. */
export function deliverAlertNotification(notificationId: string): JobRequest<JobName.DeliverAlertNotification> {
  return { name: JobName.DeliverAlertNotification, payload: { notificationId }, dedupKey: `alert-notification:${notificationId}` };
}
