import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { UtcDayRange } from '../../platform/time/day-ranges';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { Principal } from '../../platform/access/role';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { JobName } from '../../platform/queue/job-catalogue';
import { QueueService } from '../../platform/queue/queue.service';
import { hashIdTag } from '../../telemetry/contract/samples';
import { ImportTarget, ImportedSessionRow, SessionImportRepository } from './session-import.repository';

export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface ImportRowResult {
  /** Line in the file (the header is line 1). */
  line: number;
  chargePoint: string | null;
  outcome: ImportOutcome;
  errors?: Array<{ field: string; message: string }>;
}

/** Header names accepted for each column (case-insensitive), as operator portals name them differently. */
const COLUMNS: Record<string, string[]> = {
  chargePoint: ['chargepoint', 'chargepointid', 'deviceid', 'charge_point'],
  connector: ['connector', 'connectorid', 'connector_id'],
  start: ['start', 'startedat', 'started_at', 'starttime'],
  end: ['end', 'endedat', 'ended_at', 'endtime', 'stop'],
  kWh: ['kwh', 'energykwh', 'energy_kwh', 'energy'],
  userToken: ['usertoken', 'user_token', 'idtag', 'token'],
};
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_SESSION_MS = 14 * 86_400_000;
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Sessions exported by a charge-point operator's portal (CSV: charge point, connector, start,
 * end, kWh, user token). Each row is checked on its own and answered; good rows are stored as
 * imported sessions (marked `import` in every report), keyed on charge point, connector and
 * start so that the same file twice counts once. User tokens are stored only as the keyed hash
 * idTags get. A cooperative may import only for its own charge points: another's is refused as
 * unknown, as the API does everywhere.
 */
@Injectable()
export class SessionImportService {
  private readonly logger = new Logger(SessionImportService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: SessionImportRepository,
    private readonly transactions: TransactionRunner,
    private readonly queue: QueueService,
  ) {}

  async import(body: unknown, principal: Principal) {
    const records = parseCsv(body);
    const scope = principal.role === 'cooperative' ? principal.organizationId : null;
    const references = [...new Set(records.map((r) => r.chargePoint).filter(Boolean))];
    const targets = await this.transactions.run((manager) => this.repository.targets(manager, references, scope));
    const byReference = new Map<string, ImportTarget>();
    for (const target of targets) byReference.set(target.deviceId, target).set(target.id, target);

    const results: ImportRowResult[] = [];
    const rows: ImportedSessionRow[] = [];
    const firstLineOfKey = new Map<string, number>();
    const keyOfLine = new Map<number, string>();
    for (const [index, record] of records.entries()) {
      const line = index + 2;
      const { row, errors } = this.check(record, byReference.get(record.chargePoint));
      if (row && firstLineOfKey.has(row.key)) errors.push({ field: 'start', message: `same charge point, connector and start as line ${firstLineOfKey.get(row.key)}` });
      if (!row || errors.length > 0) {
        results.push({ line, chargePoint: record.chargePoint || null, outcome: 'rejected', errors });
        continue;
      }
      firstLineOfKey.set(row.key, line);
      keyOfLine.set(line, row.key);
      rows.push(row);
      results.push({ line, chargePoint: record.chargePoint, outcome: 'unchanged' });
    }

    const written = rows.length ? await this.transactions.run((manager) => this.repository.upsert(manager, rows)) : [];
    const outcomes = new Map(written.map((w) => [w.key, w.created ? ('created' as const) : ('updated' as const)]));
    for (const result of results) {
      if (result.outcome !== 'unchanged') continue;
      result.outcome = outcomes.get(keyOfLine.get(result.line)!) ?? 'unchanged';
    }
    await this.enqueueRollups(rows.filter((row) => outcomes.has(row.key)));

    const summary: Record<ImportOutcome, number> = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
    for (const result of results) summary[result.outcome] += 1;
    this.logger.log({ ...summary }, 'Charging session import finished');
    return { summary, rows: results };
  }

  private check(record: Record<string, string>, target: ImportTarget | undefined): { row: ImportedSessionRow | null; errors: Array<{ field: string; message: string }> } {
    const errors: Array<{ field: string; message: string }> = [];
    if (!record.chargePoint) errors.push({ field: 'chargePoint', message: 'required' });
    else if (!target) errors.push({ field: 'chargePoint', message: `no charge point ${record.chargePoint}` });
    const connector = Number(record.connector);
    if (!/^\d+$/.test(record.connector ?? '') || connector < 1 || (target && connector > target.connectors)) {
      errors.push({ field: 'connector', message: `must be a connector number 1..${target?.connectors ?? 'n'}` });
    }
    const start = TIMESTAMP.test(record.start ?? '') ? Date.parse(record.start) : NaN;
    const end = TIMESTAMP.test(record.end ?? '') ? Date.parse(record.end) : NaN;
    if (Number.isNaN(start)) errors.push({ field: 'start', message: 'must be an RFC 3339 timestamp with offset' });
    if (Number.isNaN(end)) errors.push({ field: 'end', message: 'must be an RFC 3339 timestamp with offset' });
    if (!Number.isNaN(start) && !Number.isNaN(end)) {
      if (end < start) errors.push({ field: 'end', message: 'must not be before start' });
      else if (end - start > MAX_SESSION_MS) errors.push({ field: 'end', message: 'a session longer than 14 days is not plausible' });
      if (end > Date.now() + FUTURE_TOLERANCE_MS) errors.push({ field: 'end', message: 'is in the future' });
    }
    // Norwegian exports write decimal commas (with `;` between fields).
    const kwhText = (record.kWh ?? '').replace(/^(\d+),(\d+)$/, '$1.$2');
    const kwh = /^\d+(\.\d+)?$/.test(kwhText) ? Number(kwhText) : NaN;
    if (Number.isNaN(kwh)) errors.push({ field: 'kWh', message: 'must be a number >= 0' });
    else if (target && !Number.isNaN(start) && end >= start && kwh > target.maxKw * ((end - start) / 3_600_000) * 1.01 + 0.01) {
      errors.push({ field: 'kWh', message: `more than the charge point's ${target.maxKw} kW could deliver in the session` });
    }
    const token = record.userToken ?? '';
    if (token.length > 64) errors.push({ field: 'userToken', message: 'at most 64 characters' });
    if (errors.length > 0 || !target) return { row: null, errors };
    const startedAt = new Date(start).toISOString();
    return {
      row: {
        key: `${target.id}|${connector}|${startedAt}`,
        chargePointId: target.id,
        connectorId: connector,
        startedAt,
        endedAt: new Date(end).toISOString(),
        energyKwh: kwh,
        idTagHash: token ? hashIdTag(token, this.config.ingest.idTagSecret).toString('hex') : null,
      },
      errors,
    };
  }

  /** Occupied time and daily rollups include imported sessions: re-derive the days they touch. */
  private async enqueueRollups(rows: ImportedSessionRow[]) {
    // Sessions are stored as UTC instants (RFC 3339 with Z): their first 10 characters are UTC days.
    const ranges = new Map<string, UtcDayRange>();
    for (const row of rows) {
      const first = row.startedAt.slice(0, 10);
      const last = row.endedAt.slice(0, 10);
      const range = ranges.get(row.chargePointId);
      ranges.set(row.chargePointId, new UtcDayRange(range && range.firstDay < first ? range.firstDay : first, range && range.lastDay > last ? range.lastDay : last));
    }
    if (ranges.size === 0) return;
    await this.queue
      .enqueue(
        [...ranges].map(([chargePointId, utcDays]) => {
          const { firstDay, lastDay } = utcDays.localDays();
          return { name: JobName.RebuildChargePoint, payload: { chargePointId, firstDay, lastDay }, dedupKey: `rebuild-charge-point:${chargePointId}:${firstDay}:${lastDay}` };
        }),
      )
      .catch((error) => this.logger.warn({ err: error }, 'Could not enqueue the rollups of imported sessions; the reconciler does not see imports, rebuild the charge point'));
  }
}

/** The CSV as records keyed by the canonical column names; a file that is not CSV is a 400. */
function parseCsv(body: unknown): Array<Record<string, string>> {
  if (typeof body !== 'string') throw new BadRequestException('Send the sessions as text/csv');
  let records: Array<Record<string, string>>;
  try {
    records = parse(body, {
      bom: true,
      trim: true,
      delimiter: delimiterOf(body),
      skip_empty_lines: true,
      columns: (header: string[]) => header.map((name) => canonical(name)),
    });
  } catch (error) {
    throw new BadRequestException(`Not a readable CSV file: ${(error as Error).message}`);
  }
  return records;
}

/** The field separator, from the header line: `;` (Norwegian spreadsheets), tab, else `,`. */
function delimiterOf(text: string): string {
  const header = text.slice(0, text.search(/\r?\n|$/));
  for (const candidate of [';', '\t']) if (header.includes(candidate) && !header.includes(',')) return candidate;
  return ',';
}

function canonical(header: string): string {
  const name = header.trim().toLowerCase().replace(/\s+/g, '');
  for (const [column, aliases] of Object.entries(COLUMNS)) if (aliases.includes(name)) return column;
  throw new BadRequestException(`Unknown column "${header}"; expected ${Object.keys(COLUMNS).join(', ')}`);
}
