import { MicroBatcher } from './micro-batcher';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** An entry's settlement as a promise, for the tests' convenience. */
const add = (b: MicroBatcher<number>, entry: number) => new Promise<void>((resolve, reject) => b.add(entry, (error) => (error ? reject(error) : resolve())));

function batcher(maxConcurrentFlushes: number, maxEntries = 2) {
  const flushes: Array<{ entries: number[]; done: Deferred }> = [];
  const b = new MicroBatcher<number>({
    maxEntries,
    maxRows: 1000,
    maxWaitMs: 10_000,
    maxConcurrentFlushes,
    rowsOf: () => 1,
    flush: (entries) => {
      const done = deferred();
      flushes.push({ entries, done });
      return done.promise;
    },
  });
  return { b, flushes };
}

describe('MicroBatcher', () => {
  it('cuts a batch when it is full and runs at most the configured number of flushes at once', async () => {
    const { b, flushes } = batcher(2);
    for (let i = 1; i <= 6; i++) void add(b, i).catch(() => undefined);
    await tick();
    expect(flushes.map((f) => f.entries)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    flushes[0].done.resolve();
    await tick();
    expect(flushes.map((f) => f.entries)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('settles batches in the order they were cut, even when a later one commits first', async () => {
    const { b, flushes } = batcher(2);
    const settled: number[] = [];
    const adds = [1, 2, 3, 4].map((i) => add(b, i).then(() => settled.push(i)));
    await tick();
    flushes[1].done.resolve();
    await tick();
    expect(settled).toEqual([]);
    expect(b.inFlight).toBe(4);
    flushes[0].done.resolve();
    await Promise.all(adds);
    expect(settled).toEqual([1, 2, 3, 4]);
    expect(b.inFlight).toBe(0);
  });

  it('rejects the entries of a failed batch only, after the batches before it settled', async () => {
    const { b, flushes } = batcher(2);
    const outcomes: string[] = [];
    const adds = [1, 2, 3, 4].map((i) =>
      add(b, i).then(
        () => outcomes.push(`ok ${i}`),
        () => outcomes.push(`failed ${i}`),
      ),
    );
    await tick();
    flushes[1].done.reject(new Error('refused'));
    flushes[0].done.resolve();
    await Promise.all(adds);
    expect(outcomes).toEqual(['ok 1', 'ok 2', 'failed 3', 'failed 4']);
  });

  it('flushes a batch that is not full when its time is up, and drain waits for it', async () => {
    jest.useFakeTimers();
    try {
      const { b, flushes } = batcher(1, 100);
      const added = add(b, 7);
      expect(flushes).toHaveLength(0);
      jest.advanceTimersByTime(10_000);
      expect(flushes.map((f) => f.entries)).toEqual([[7]]);
      let drained = false;
      const draining = b.drain().then(() => (drained = true));
      await Promise.resolve();
      expect(drained).toBe(false);
      flushes[0].done.resolve();
      await Promise.all([added, draining]);
      expect(drained).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
