import { Settled } from '../ingest/micro-batcher';

/** The values one device published within one assembly window (device-profiles.md). */
export interface AssemblyWindow<D> {
  device: D;
  /** Receive time of the window's first value (epoch ms): the sample's time when the publisher states none. */
  firstAt: number;
  /** Topic of the first value, for the dead letter if the assembled sample is refused. */
  firstTopic: string;
  /** The publisher's key (metric, TeslaMate key, evcc key) to its text; the last value of a key in the window counts. */
  values: Map<string, string | undefined>;
  /** The QoS 1 deliveries in the window: acknowledged once the sample that holds them commits. */
  held: Settled[];
}

export interface AssemblyOptions<D> {
  windowMs: number;
  /** Devices assembling at once at most: beyond, the oldest window is closed early. */
  maxOpenWindows: number;
  /**
   * Unacknowledged deliveries held in windows at most: beyond, the oldest window is closed early.
   * Below what the MQTT connections may hold in hand, so that assembling never stops them reading.
   */
  maxHeldDeliveries: number;
  close: (window: AssemblyWindow<D>) => void;
  now?: () => number;
}

/** How often closed windows are looked for; a value arriving after a window's end starts a new one whether or not the sweep ran. */
const SWEEP_MS = 100;

/**
 * Assembly of publishers that send one value per topic (OVMS, TeslaMate, evcc): the values of one
 * device that arrive within `windowMs` of the first form one sample. Windows sit in a Map in the
 * order they opened, so the sweep and the early closes take the oldest from its front.
 */
export class Assembly<D> {
  private readonly windows = new Map<string, AssemblyWindow<D>>();
  private heldCount = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: AssemblyOptions<D>) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.closeExpired(), SWEEP_MS);
    this.timer.unref();
  }

  /** One value of a device; `held` is the delivery's settle callback when it must wait for the commit (QoS 1). */
  add(key: string, device: D, topic: string, field: string, value: string | undefined, held: Settled | undefined, receivedAt = this.now()): void {
    let window = this.windows.get(key);
    if (window && receivedAt - window.firstAt >= this.options.windowMs) {
      this.close(key, window);
      window = undefined;
    }
    if (!window) {
      if (this.windows.size >= this.options.maxOpenWindows) this.closeOldest();
      window = { device, firstAt: receivedAt, firstTopic: topic, values: new Map(), held: [] };
      this.windows.set(key, window);
    }
    window.values.set(field, value);
    if (held) {
      window.held.push(held);
      this.heldCount += 1;
      while (this.heldCount > this.options.maxHeldDeliveries && this.windows.size > 0) this.closeOldest();
    }
  }

  /** The window a device has open now, if any (e.g. to stamp it with a time its publisher sent separately). */
  openWindow(key: string): AssemblyWindow<D> | undefined {
    return this.windows.get(key);
  }

  get openWindows(): number {
    return this.windows.size;
  }

  get heldDeliveries(): number {
    return this.heldCount;
  }

  /** Closes every window (shutdown: what is assembled is stored, and its deliveries acknowledged, before the connections close). */
  closeAll(): void {
    for (const [key, window] of this.windows) this.close(key, window);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private closeExpired(): void {
    const end = this.now() - this.options.windowMs;
    for (const [key, window] of this.windows) {
      if (window.firstAt > end) return; // opened in order: the rest are younger
      this.close(key, window);
    }
  }

  private closeOldest(): void {
    const first = this.windows.entries().next();
    if (!first.done) this.close(first.value[0], first.value[1]);
  }

  private close(key: string, window: AssemblyWindow<D>): void {
    this.windows.delete(key);
    this.heldCount -= window.held.length;
    this.options.close(window);
  }
}
