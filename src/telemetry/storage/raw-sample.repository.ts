import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { booleanArray, numberArray, uuidArray } from './array-literals';
import { ChargeTotalRow, RawBatch, RawBatchResult, sampleRows } from './raw-batch';

/** Writes raw telemetry: a batch of samples, events and dead letters in one statement (see write()). */
@Injectable()
export class RawSampleRepository {
  /** Month partitions known to exist, as "table:YYYY-MM-01". */
  private readonly partitions = new Set<string>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the month partitions a batch needs that are not known to exist yet (outside the write transaction). */
  async ensurePartitions(batch: RawBatch): Promise<void> {
    const needed = new Set<string>();
    const add = (table: string, rows: Array<{ ts: number }>) => {
      let lastMonth = -1;
      for (const row of rows) {
        const date = new Date(row.ts);
        const month = date.getUTCFullYear() * 12 + date.getUTCMonth();
        if (month === lastMonth) continue; // a batch's rows mostly share a month: skip the string work
        lastMonth = month;
        needed.add(`${table}:${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-01`);
      }
    };
    add('vehicle_samples', batch.vehicleSamples);
    add('charge_point_status', batch.statusSamples);
    add('charge_point_meter', batch.meterSamples);
    add('charge_point_transactions', batch.transactionEvents);
    for (const key of needed) {
      if (this.partitions.has(key)) continue;
      const [table, month] = key.split(':');
      await this.dataSource.query('SELECT ensure_monthly_partition($1, $2::date)', [table, month]);
      this.partitions.add(key);
    }
  }

  /** Makes sure partitions exist for this month and the next `monthsAhead` (scheduled maintenance). */
  async ensurePartitionsAhead(now: Date, monthsAhead: number): Promise<void> {
    for (const table of ['vehicle_samples', 'charge_point_status', 'charge_point_meter', 'charge_point_transactions']) {
      for (let offset = 0; offset <= monthsAhead; offset++) {
        const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
        await this.dataSource.query('SELECT ensure_monthly_partition($1, $2::date)', [table, month]);
        this.partitions.add(`${table}:${month}`);
      }
    }
  }

  /** TeslaMate cars' stored charge totals (profiles/teslamate/charge-totals.ts). */
  chargeTotals(): Promise<ChargeTotalRow[]> {
    return this.dataSource.query(`SELECT vehicle_id AS "vehicleId", closed_sessions_kwh AS "closedSessionsKwh", session_kwh AS "sessionKwh", version::float8 AS version FROM profile_charge_totals`);
  }

  /**
   * One statement for the whole batch, every stream's INSERT a data-modifying CTE of it: a single
   * statement is atomic on its own, so the batch costs one round trip instead of BEGIN, one INSERT
   * per stream and COMMIT, each of which waited for the ingest's busy event loop.
   */
  async write(batch: RawBatch): Promise<RawBatchResult> {
    await this.ensurePartitions(batch);
    const params: unknown[] = [];
    const param = (value: unknown, type: string) => {
      params.push(value);
      return `$${params.length}::${type}`;
    };
    const samples = sampleInserts(batch, param);
    const deadLetters = batch.deadLetters.length > 0 ? [deadLetterInsert(batch, param)] : [];
    const chargeTotals = batch.chargeTotals.length > 0 ? [chargeTotalUpsert(batch, param)] : [];
    const parts = [...samples, ...deadLetters, ...chargeTotals];
    if (parts.length === 0) return { inserted: 0, duplicates: 0, deadLetters: 0 };
    // PostgreSQL runs every data-modifying CTE to completion, read or not; the samples' ones are counted for the duplicates.
    const sql = `WITH ${parts.map((insert, i) => `w${i} AS (${insert} RETURNING 1)`).join(',\n')}
      SELECT ${samples.length === 0 ? '0' : samples.map((_, i) => `(SELECT count(*) FROM w${i})`).join(' + ')} AS inserted`;
    const [row] = (await this.dataSource.query(sql, params)) as Array<{ inserted: string }>;
    const inserted = Number(row.inserted);
    return { inserted, duplicates: sampleRows(batch) - inserted, deadLetters: batch.deadLetters.length };
  }
}

type Param = (value: unknown, type: string) => string;

/**
 * One INSERT ... SELECT FROM unnest() per stream that has rows, ON CONFLICT DO NOTHING on the
 * natural keys so that re-delivered samples are no-ops; received_at is the statement's time.
 * Times go as epoch ms (float8, exact for whole milliseconds) and become timestamptz in SQL.
 */
function sampleInserts(batch: RawBatch, p: Param): string[] {
  const inserts: string[] = [];
  const v = batch.vehicleSamples;
  if (v.length > 0) {
    inserts.push(`INSERT INTO vehicle_samples (vehicle_id, ts, received_at, odometer_km, speed_kmh, lat, lon, ignition, soc_pct,
         energy_consumed_kwh, energy_charged_kwh, fuel_used_l, gas_used_kg, fuel_level_pct, charging)
       SELECT a, to_timestamp(b / 1000), now(), c, d, e, f, g, h, i, j, k, l, m, n
         FROM unnest(${p(
           uuidArray(v, (s) => s.vehicleId),
           'uuid[]',
         )}, ${p(
           numberArray(v, (s) => s.ts),
           'float8[]',
         )},
                     ${p(
                       numberArray(v, (s) => s.odometerKm),
                       'float8[]',
                     )}, ${p(
                       numberArray(v, (s) => s.speedKmh),
                       'float8[]',
                     )},
                     ${p(
                       numberArray(v, (s) => s.lat),
                       'float8[]',
                     )}, ${p(
                       numberArray(v, (s) => s.lon),
                       'float8[]',
                     )},
                     ${p(
                       booleanArray(v, (s) => s.ignition),
                       'bool[]',
                     )}, ${p(
                       numberArray(v, (s) => s.socPct),
                       'float8[]',
                     )},
                     ${p(
                       numberArray(v, (s) => s.energyConsumedKwh),
                       'float8[]',
                     )}, ${p(
                       numberArray(v, (s) => s.energyChargedKwh),
                       'float8[]',
                     )},
                     ${p(
                       numberArray(v, (s) => s.fuelUsedL),
                       'float8[]',
                     )}, ${p(
                       numberArray(v, (s) => s.gasUsedKg),
                       'float8[]',
                     )},
                     ${p(
                       numberArray(v, (s) => s.fuelLevelPct),
                       'float8[]',
                     )}, ${p(
                       booleanArray(v, (s) => s.charging),
                       'bool[]',
                     )}
                    ) AS u(a, b, c, d, e, f, g, h, i, j, k, l, m, n)
       ON CONFLICT DO NOTHING`);
  }
  const st = batch.statusSamples;
  if (st.length > 0) {
    inserts.push(`INSERT INTO charge_point_status (charge_point_id, connector_id, ts, received_at, status, error_code, vendor_error_code)
       SELECT a, b, to_timestamp(c / 1000), now(), d, e, f
         FROM unnest(${p(
           uuidArray(st, (s) => s.chargePointId),
           'uuid[]',
         )}, ${p(
           numberArray(st, (s) => s.connectorId),
           'int[]',
         )},
                     ${p(
                       numberArray(st, (s) => s.ts),
                       'float8[]',
                     )}, ${p(
                       st.map((s) => s.status),
                       'text[]',
                     )}, ${p(
                       st.map((s) => s.errorCode),
                       'text[]',
                     )},
                     ${p(
                       optionalColumn(st, (s) => s.vendorErrorCode),
                       'text[]',
                     )}
                    ) AS u(a, b, c, d, e, f)
       ON CONFLICT DO NOTHING`);
  }
  const m = batch.meterSamples;
  if (m.length > 0) {
    inserts.push(`INSERT INTO charge_point_meter (charge_point_id, connector_id, ts, received_at, energy_wh, power_w, transaction_id, soc_pct, extra)
       SELECT a, b, to_timestamp(c / 1000), now(), d, e, f, g, h
         FROM unnest(${p(
           uuidArray(m, (s) => s.chargePointId),
           'uuid[]',
         )}, ${p(
           numberArray(m, (s) => s.connectorId),
           'int[]',
         )},
                     ${p(
                       numberArray(m, (s) => s.ts),
                       'float8[]',
                     )}, ${p(
                       numberArray(m, (s) => s.energyWh),
                       'float8[]',
                     )},
                     ${p(
                       numberArray(m, (s) => s.powerW),
                       'float8[]',
                     )}, ${p(
                       m.map((s) => s.transactionId),
                       'text[]',
                     )},
                     ${p(
                       numberArray(m, (s) => s.socPct ?? null),
                       'float8[]',
                     )}, ${p(
                       optionalColumn(m, (s) => (s.extra ? JSON.stringify(s.extra) : null)),
                       'jsonb[]',
                     )}
                    ) AS u(a, b, c, d, e, f, g, h)
       ON CONFLICT DO NOTHING`);
  }
  const t = batch.transactionEvents;
  if (t.length > 0) {
    inserts.push(`INSERT INTO charge_point_transactions (charge_point_id, connector_id, ts, received_at, event, transaction_id, meter_wh, id_tag_hash, reason)
       SELECT a, b, to_timestamp(c / 1000), now(), d, e, f, g, h
         FROM unnest(${p(
           uuidArray(t, (s) => s.chargePointId),
           'uuid[]',
         )}, ${p(
           numberArray(t, (s) => s.connectorId),
           'int[]',
         )},
                     ${p(
                       numberArray(t, (s) => s.ts),
                       'float8[]',
                     )}, ${p(
                       t.map((s) => s.event),
                       'text[]',
                     )}, ${p(
                       t.map((s) => s.transactionId),
                       'text[]',
                     )},
                     ${p(
                       numberArray(t, (s) => s.meterWh),
                       'float8[]',
                     )}, ${p(
                       t.map((s) => s.idTagHash),
                       'bytea[]',
                     )}, ${p(
                       t.map((s) => s.reason),
                       'text[]',
                     )}
                    ) AS u(a, b, c, d, e, f, g, h)
       ON CONFLICT DO NOTHING`);
  }
  const c = batch.connectionEvents;
  if (c.length > 0) {
    inserts.push(`INSERT INTO device_connection_events (device_kind, device_ref, ts, received_at, state)
       SELECT a, b, to_timestamp(c / 1000), to_timestamp(d / 1000), e
         FROM unnest(${p(
           c.map((e) => e.deviceKind),
           'text[]',
         )}, ${p(
           uuidArray(c, (e) => e.deviceRef),
           'uuid[]',
         )},
                     ${p(
                       numberArray(c, (e) => e.ts),
                       'float8[]',
                     )}, ${p(
                       numberArray(c, (e) => e.receivedAt),
                       'float8[]',
                     )},
                     ${p(
                       c.map((e) => e.state),
                       'text[]',
                     )}
                    ) AS u(a, b, c, d, e)
       ON CONFLICT DO NOTHING`);
  }
  return inserts;
}

/**
 * A column only OCPP messages fill: an empty array when no row has it (unnest pads with NULL), so
 * that MQTT batches do not send a NULL per row.
 */
function optionalColumn<T>(rows: readonly T[], value: (row: T) => string | null | undefined): Array<string | null> {
  const values = rows.map((row) => value(row) ?? null);
  return values.some((v) => v !== null) ? values : [];
}

function deadLetterInsert(batch: RawBatch, p: Param): string {
  const d = batch.deadLetters;
  return `INSERT INTO dead_letters (received_at, topic, device_id, reason, detail, sample_index, payload, payload_bytes, natural_key)
     SELECT to_timestamp(a / 1000), b, c, d, e, f, g, h, i
       FROM unnest(${p(
         numberArray(d, (r) => r.receivedAt),
         'float8[]',
       )}, ${p(
         d.map((r) => r.topic),
         'text[]',
       )}, ${p(
         d.map((r) => r.deviceId),
         'text[]',
       )},
                   ${p(
                     d.map((r) => r.reason),
                     'text[]',
                   )}, ${p(
                     d.map((r) => r.detail),
                     'text[]',
                   )}, ${p(
                     numberArray(d, (r) => r.sampleIndex),
                     'int[]',
                   )},
                   ${p(
                     d.map((r) => r.payload),
                     'bytea[]',
                   )}, ${p(
                     numberArray(d, (r) => r.payloadBytes),
                     'int[]',
                   )}, ${p(
                     d.map((r) => r.key),
                     'bytea[]',
                   )}
                  ) AS u(a, b, c, d, e, f, g, h, i)
     ON CONFLICT (natural_key) DO NOTHING`;
}

function chargeTotalUpsert(batch: RawBatch, p: Param): string {
  const t = batch.chargeTotals;
  return `INSERT INTO profile_charge_totals (vehicle_id, closed_sessions_kwh, session_kwh, version)
     SELECT DISTINCT ON (a) a, b, c, d
       FROM unnest(${p(
         uuidArray(t, (r) => r.vehicleId),
         'uuid[]',
       )}, ${p(
         numberArray(t, (r) => r.closedSessionsKwh),
         'float8[]',
       )},
                   ${p(
                     numberArray(t, (r) => r.sessionKwh),
                     'float8[]',
                   )}, ${p(
                     numberArray(t, (r) => r.version),
                     'int8[]',
                   )}
                  ) AS u(a, b, c, d)
      ORDER BY a, d DESC
     ON CONFLICT (vehicle_id) DO UPDATE SET closed_sessions_kwh = EXCLUDED.closed_sessions_kwh, session_kwh = EXCLUDED.session_kwh,
       version = EXCLUDED.version, updated_at = now()
     WHERE profile_charge_totals.version < EXCLUDED.version`;
}
