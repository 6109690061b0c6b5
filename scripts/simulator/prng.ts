/**
 * Seeded randomness. Every random draw of the simulator comes from a stream keyed by
 * (seed, device, day, purpose), never from one shared generator: that makes a device-day come out
 * the same whatever range, device subset or mode (backfill, live) the run covers, so a repeated
 * or overlapping backfill publishes the same samples again (which the service drops as duplicates).
 */

/** mulberry32: tiny, fast, good enough for simulation (the demo fleet generator uses it too). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit hash of a string (cyrb53 folded), used to derive stream seeds from keys. */
export function hash32(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 ^ h2) >>> 0;
}

export class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** A stream for one purpose, e.g. `Random.for(seed, 'veh-ab12345', '2019-03-04', 'route')`. */
  static for(seed: number, a: string | number, b?: string | number, c?: string | number, d?: string | number): Random {
    // Concatenated by hand: this runs for every device-day, and rest arguments with join() showed in profiles.
    let key = `${seed}|${a}`;
    if (b !== undefined) key += `|${b}`;
    if (c !== undefined) key += `|${c}`;
    if (d !== undefined) key += `|${d}`;
    return new Random(hash32(key));
  }

  /** [0, 1) */
  float(): number {
    return this.next();
  }

  /** [min, max) */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Mean of two uniform draws: a triangular shape that keeps the range but favours the middle. */
  triangular(min: number, max: number): number {
    return min + ((this.next() + this.next()) / 2) * (max - min);
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let draw = this.next() * total;
    for (const [item, weight] of items) {
      draw -= weight;
      if (draw < 0) return item;
    }
    return items[items.length - 1][0];
  }
}
