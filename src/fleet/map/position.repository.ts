import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface TrackPoint {
  ts: string;
  lat: number;
  lon: number;
  speedKmh: number | null;
}

export interface DepotStay {
  depotId: string;
  name: string;
  since: string;
}

/** Great-circle distance in metres between columns/parameters, as the electrification plan measures depot stops. */
const metres = (lat: string, lon: string, toLat: string, toLon: string) =>
  `2 * 6371000 * asin(sqrt(power(sin(radians(${lat} - ${toLat}) / 2), 2) + cos(radians(${toLat})) * cos(radians(${lat})) * power(sin(radians(${lon} - ${toLon}) / 2), 2)))`;

/** Stored positions (vehicle_samples) for the dashboard's map, never older than the retention horizon. */
@Injectable()
export class PositionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Positions in [from, to) after `horizon`, in time order; at most `limit` (the caller says when cut). */
  track(vehicleId: string, from: Date, to: Date, horizon: Date, limit: number): Promise<TrackPoint[]> {
    return this.dataSource.query(
      `SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts, lat, lon, speed_kmh AS "speedKmh"
         FROM vehicle_samples
        WHERE vehicle_id = $1 AND ts >= greatest($2::timestamptz, $4::timestamptz) AND ts < $3 AND lat IS NOT NULL AND lon IS NOT NULL
        ORDER BY ts LIMIT $5`,
      [vehicleId, from, to, horizon, limit],
    );
  }

  /**
   * The depot of the vehicle's department its last position lies in, and since when: the first
   * position after the last one outside that depot (within the retention horizon, so a vehicle
   * parked longer than that shows the horizon's first position).
   */
  async depotStay(vehicleId: string, horizon: Date): Promise<DepotStay | null> {
    const rows: DepotStay[] = await this.dataSource.query(
      `WITH last AS (
         SELECT s.lat, s.lon FROM vehicle_state s WHERE s.vehicle_id = $1 AND s.lat IS NOT NULL
       ),
       depot AS (
         SELECT d.id, d.name, d.lat, d.lon, d.radius_m
           FROM depots d JOIN vehicles v ON v.department_id = d.organization_id, last
          WHERE v.id = $1 AND ${metres('last.lat', 'last.lon', 'd.lat', 'd.lon')} <= d.radius_m
          ORDER BY ${metres('last.lat', 'last.lon', 'd.lat', 'd.lon')} LIMIT 1
       ),
       left_at AS (
         SELECT max(p.ts) AS ts FROM vehicle_samples p, depot
          WHERE p.vehicle_id = $1 AND p.ts >= $2 AND p.lat IS NOT NULL AND ${metres('p.lat', 'p.lon', 'depot.lat', 'depot.lon')} > depot.radius_m
       )
       SELECT depot.id AS "depotId", depot.name,
              (SELECT to_char(min(p.ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM vehicle_samples p
                WHERE p.vehicle_id = $1 AND p.ts >= $2 AND p.lat IS NOT NULL AND p.ts > coalesce(left_at.ts, '-infinity')) AS since
         FROM depot, left_at`,
      [vehicleId, horizon],
    );
    return rows[0]?.since ? rows[0] : null;
  }
}
