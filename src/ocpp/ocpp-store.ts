import { Logger } from '@nestjs/common';
import { MicroBatcher } from '../telemetry/ingest/micro-batcher';
import { DerivationEnqueuer } from '../telemetry/ingest/derivation-enqueuer';
import { backoffMs, isDataError } from '../telemetry/ingest/storage-errors';
import { RawBatch, appendBatch, emptyBatch, sampleRows } from '../telemetry/storage/raw-batch';
import { RawSampleRepository } from '../telemetry/storage/raw-sample.repository';
import { OcppMetrics } from './ocpp.metrics';

export interface OcppStoreOptions {
  maxEntries: number;
  maxRows: number;
  maxWaitMs: number;
  maxConcurrentFlushes: number;
}

/**
 * The rows of OCPP messages, batched with those of other messages (of every connection) and
 * written in one transaction by the MQTT ingest's own writer (RawSampleRepository): same tables,
 * same natural keys and deduplication, same dead letters and derivation jobs. `store` resolves
 * once the message's batch committed, which is when its CALLRESULT may go out. While PostgreSQL
 * is down the write retries and no answer leaves: the charge points keep their calls and re-send.
 */
export class OcppStore {
  private readonly logger = new Logger(OcppStore.name);
  private readonly batcher: MicroBatcher<RawBatch>;
  private stopping = false;

  constructor(
    options: OcppStoreOptions,
    private readonly raw: RawSampleRepository,
    private readonly derivation: DerivationEnqueuer,
    private readonly metrics: OcppMetrics,
  ) {
    this.batcher = new MicroBatcher<RawBatch>({ ...options, rowsOf: (rows) => sampleRows(rows) + rows.deadLetters.length, flush: (entries) => this.write(entries) });
  }

  store(rows: RawBatch): Promise<void> {
    return new Promise((resolve, reject) => this.batcher.add(rows, (error) => (error === undefined ? resolve() : reject(error))));
  }

  /** From now on a failed write is not retried: its calls get an error (the charge points send them again) instead of holding the shutdown. */
  beginStop(): void {
    this.stopping = true;
  }

  /** Waits for the batches in hand and sends their derivation jobs. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.batcher.drain();
    await this.derivation.flush();
  }

  private async write(entries: RawBatch[]): Promise<void> {
    const batch = emptyBatch();
    for (const rows of entries) appendBatch(batch, rows);
    if ((await this.writeWithRetry(batch)) === 'refused') {
      // One message's rows the database refuses must not refuse the others'; its own refusal is a dead letter's reason.
      for (const rows of entries) {
        if ((await this.writeWithRetry(rows)) === 'refused') throw new Error('the database refused the rows of an OCPP message');
      }
    }
    this.derivation.committed(batch);
  }

  private async writeWithRetry(batch: RawBatch): Promise<'stored' | 'refused'> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping && attempt > 0) throw new Error('ocpp endpoint stopping: calls left unanswered for the charge points to re-send');
      try {
        const result = await this.raw.write(batch);
        this.metrics.stored.inc(result.inserted);
        if (result.duplicates) this.metrics.duplicates.inc(result.duplicates);
        for (const row of batch.deadLetters) this.metrics.rejected.inc({ reason: row.reason });
        return 'stored';
      } catch (error) {
        if (isDataError(error)) {
          this.logger.warn({ err: error }, 'Database refused a batch of OCPP messages');
          return 'refused';
        }
        if (attempt === 0) this.logger.error({ err: error }, 'Writing OCPP messages failed; holding their answers and retrying');
        this.metrics.writeRetries.inc();
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
      }
    }
  }
}
