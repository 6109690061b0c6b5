/**
 * Collects entries until a batch is full or has waited long enough, then hands the batch to
 * `flush` and calls every entry's `settled` callback with the outcome (a callback, not a promise:
 * the ingest adds tens of thousands of entries a second, and a promise each was garbage to collect).
 *
 * Up to `maxConcurrentFlushes` batches are written at once, so that one batch's commit overlaps
 * the next one's preparation and send. Batches are still settled in the order they were cut: an
 * MQTT receiver must acknowledge QoS 1 messages in the order it received them, and acknowledging
 * a later batch before an earlier one has committed would break that.
 *
 * The ingest's connections hold a bounded number of unacknowledged messages, so at most
 * `maxEntries` entries can ever be pending: when that many are waiting, no more can come and the
 * batch goes at once instead of waiting out its timer.
 */
export interface MicroBatcherOptions<T> {
  /** Flush when this many entries wait (set it to the most messages the connections can hold). */
  maxEntries: number;
  /** Flush when the entries hold this many rows. */
  maxRows: number;
  /** Flush at the latest this long after the first entry arrived. */
  maxWaitMs: number;
  /** Batches being written at the same time (default 1). */
  maxConcurrentFlushes?: number;
  rowsOf: (entry: T) => number;
  flush: (entries: T[]) => Promise<void>;
}

/** Called once per entry: without an error when its batch was flushed, with the flush's error when it failed. */
export type Settled = (error?: unknown) => void;

interface Pending<T> {
  entry: T;
  settled: Settled;
}

export class MicroBatcher<T> {
  private pending: Pending<T>[] = [];
  private pendingRows = 0;
  private firstPendingAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushes = 0;
  /** Entries of batches cut but not yet settled. */
  private unsettled = 0;
  /** Settles when the most recently cut batch has been settled. */
  private lastSettled: Promise<void> = Promise.resolve();

  constructor(private readonly options: MicroBatcherOptions<T>) {}

  /** `settled` is called when the batch holding `entry` has been flushed, with the error if that flush failed. */
  add(entry: T, settled: Settled): void {
    if (this.pending.length === 0) this.firstPendingAt = Date.now();
    this.pending.push({ entry, settled });
    this.pendingRows += this.options.rowsOf(entry);
    this.schedule();
  }

  /** Entries waiting plus those being flushed. */
  get inFlight(): number {
    return this.pending.length + this.unsettled;
  }

  private get slotFree(): boolean {
    return this.flushes < (this.options.maxConcurrentFlushes ?? 1);
  }

  private schedule() {
    if (!this.slotFree || this.pending.length === 0) return; // a finishing flush picks the rest up
    const full = this.pending.length >= this.options.maxEntries || this.pendingRows >= this.options.maxRows;
    if (full) {
      this.flushNow();
    } else if (!this.timer) {
      // Entries that arrived during a flush have waited already; give them only what is left.
      const wait = Math.max(0, this.firstPendingAt + this.options.maxWaitMs - Date.now());
      this.timer = setTimeout(() => this.flushNow(), wait);
    }
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.slotFree || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    this.flushes++;
    this.unsettled += batch.length;
    const written = this.options.flush(batch.map((item) => item.entry)).then(
      () => ({ error: undefined as unknown, failed: false }),
      (error: unknown) => ({ error, failed: true }),
    );
    const previous = this.lastSettled;
    this.lastSettled = written.then(async (outcome) => {
      this.flushes--;
      this.schedule();
      await previous;
      this.unsettled -= batch.length;
      for (const item of batch) item.settled(outcome.failed ? outcome.error : undefined);
    });
  }

  /** Waits until every batch cut so far has been settled (for an orderly shutdown). */
  async drain(): Promise<void> {
    await this.lastSettled;
  }
}
