import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { whereClause } from '../../platform/database/where-clause';

/** Which dead letters: by reason, device id and time received in [from, to). */
export interface DeadLetterSelection {
  reason?: string;
  deviceId?: string;
  from?: string;
  to?: string;
}

export interface DeadLetterFilter extends DeadLetterSelection {
  limit: number;
  offset: number;
}

export interface DeadLetterRecord {
  id: string;
  receivedAt: Date;
  topic: string;
  deviceId: string | null;
  reason: string;
  detail: string;
  sampleIndex: number | null;
  payload: Buffer;
  payloadBytes: number;
  replayedAt: Date | null;
  replayOutcome: string | null;
}

/** What a replay needs of a dead letter. */
export interface ReplayCandidate {
  id: string;
  topic: string;
  /** Epoch ms. */
  receivedAt: number;
  payload: Buffer;
  payloadBytes: number;
}

/**
 * Replay outcomes after which there is nothing left to replay: the samples are stored (those
 * rejected again became dead letters of their own), or the payload was cut to 4 KiB when it was
 * kept and cannot be read whole again.
 */
export const FINAL_REPLAY_OUTCOMES = ['stored', 'partly_stored', 'payload_truncated'] as const;

@Injectable()
export class DeadLetterRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(filter: DeadLetterFilter): Promise<{ items: DeadLetterRecord[]; total: number }> {
    const { clause, params } = selectionWhere(filter);
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM dead_letters ${clause}`, params);
    const items = await this.dataSource.query(
      `SELECT id::text, received_at AS "receivedAt", topic, device_id AS "deviceId", reason, detail, sample_index AS "sampleIndex",
              payload, payload_bytes AS "payloadBytes", replayed_at AS "replayedAt", replay_outcome AS "replayOutcome"
         FROM dead_letters ${clause}
        ORDER BY received_at DESC, id DESC
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return { items, total };
  }

  /**
   * The next dead letters to replay after `afterId` (up to `upToId`), in id order (keyset, so a replay never holds
   * more than one page and can go on after a restart from the marks it left): at most `maxRows`,
   * and no more payload than `maxBytes` (always at least one row). Rows with a final outcome are
   * skipped; still-rejected ones come again.
   */
  async nextToReplay(selection: DeadLetterSelection, afterId: string, upToId: string, maxRows: number, maxBytes: number): Promise<ReplayCandidate[]> {
    const { clause, params } = selectionWhere(selection, {
      'id > $?': afterId,
      'id <= $?': upToId,
      '(replay_outcome IS NULL OR replay_outcome <> ALL ($?::text[]))': [...FINAL_REPLAY_OUTCOMES],
    });
    const rows: Array<ReplayCandidate & { receivedAt: string }> = await this.dataSource.query(
      `WITH page AS (SELECT id, topic, received_at, payload, payload_bytes FROM dead_letters ${clause} ORDER BY id LIMIT $${params.length + 1})
       SELECT id::text, topic, extract(epoch FROM received_at) * 1000 AS "receivedAt", payload, payload_bytes AS "payloadBytes"
         FROM (SELECT page.*, sum(length(payload)) OVER (ORDER BY id) - length(payload) AS before FROM page) p
        WHERE before < $${params.length + 2}
        ORDER BY p.id -- the bigint: the output column id is text, in which '1000' sorts before '999'
      `,
      [...params, maxRows, maxBytes],
    );
    return rows.map((row) => ({ ...row, receivedAt: Math.round(Number(row.receivedAt)) }));
  }

  /** The newest dead letter's id ('0' when there is none): a replay goes up to it, not into what it writes itself. */
  async lastId(): Promise<string> {
    const [{ id }] = await this.dataSource.query(`SELECT coalesce(max(id), 0)::text AS id FROM dead_letters`);
    return id;
  }

  async markReplayed(marks: Array<{ id: string; outcome: string }>): Promise<void> {
    if (marks.length === 0) return;
    await this.dataSource.query(
      `UPDATE dead_letters d SET replayed_at = now(), replay_outcome = m.outcome
         FROM unnest($1::bigint[], $2::text[]) AS m(id, outcome)
        WHERE d.id = m.id`,
      [marks.map((mark) => mark.id), marks.map((mark) => mark.outcome)],
    );
  }
}

function selectionWhere(selection: DeadLetterSelection, extra: Record<string, unknown> = {}): { clause: string; params: unknown[] } {
  return whereClause({ 'reason = $?': selection.reason, 'device_id = $?': selection.deviceId, 'received_at >= $?': selection.from, 'received_at < $?': selection.to, ...extra });
}
