/**
 * Collects entries until a batch is full or has waited long enough, then hands the batch to
 * `flush` and settles every entry's promise with the outcome. One flush runs at a time; what
 * arrives meanwhile forms the next batch.
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
  rowsOf: (entry: T) => number;
  flush: (entries: T[]) => Promise<void>;
}

interface Pending<T> {
  entry: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<T> {
  private pending: Pending<T>[] = [];
  private pendingRows = 0;
  private firstPendingAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: MicroBatcherOptions<T>) {}

  /** Resolves when the batch holding `entry` has been flushed; rejects if that flush failed. */
  add(entry: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.pending.length === 0) this.firstPendingAt = Date.now();
      this.pending.push({ entry, resolve, reject });
      this.pendingRows += this.options.rowsOf(entry);
      this.schedule();
    });
  }

  private flushingCount = 0;

  /** Entries waiting plus those being flushed. */
  get inFlight(): number {
    return this.pending.length + this.flushingCount;
  }

  private schedule() {
    if (this.flushing) return; // the running flush picks the rest up when it ends
    const full = this.pending.length >= this.options.maxEntries || this.pendingRows >= this.options.maxRows;
    if (full) {
      void this.flushNow();
    } else if (!this.timer && this.pending.length > 0) {
      // Entries that arrived during a flush have waited already; give them only what is left.
      const wait = Math.max(0, this.firstPendingAt + this.options.maxWaitMs - Date.now());
      this.timer = setTimeout(() => void this.flushNow(), wait);
    }
  }

  private async flushNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    this.flushingCount = batch.length;
    this.flushing = this.options.flush(batch.map((item) => item.entry)).then(
      () => batch.forEach((item) => item.resolve()),
      (error) => batch.forEach((item) => item.reject(error)),
    );
    await this.flushing;
    this.flushing = undefined;
    this.flushingCount = 0;
    this.schedule();
  }

  /** Waits for the flush in progress, if any (for an orderly shutdown). */
  async drain(): Promise<void> {
    await this.flushing;
  }
}
