/**
 * Progress on stderr: a redrawn bar with rate and ETA when stderr is a terminal, a plain line
 * every 10 s otherwise (logs, CI). Backfills measure progress in simulated time, which is known
 * up front, unlike the number of messages.
 */
import { formatTs } from './oslo-time';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class Progress {
  private messages = 0;
  private samples = 0;
  private simTime: number;
  private lastDraw = 0;
  private readonly started: number;

  constructor(
    private readonly from: number,
    /** Infinity in live mode: no bar, no ETA. */
    private readonly to: number,
    private readonly out: ProgressStream = process.stderr,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.started = now();
    this.simTime = from;
  }

  update(messages: number, samples: number, simTime: number): void {
    this.messages = messages;
    this.samples = samples;
    this.simTime = Math.max(this.simTime, simTime);
    const now = this.now();
    if (now - this.lastDraw < (this.out.isTTY ? 200 : 10_000)) return;
    this.lastDraw = now;
    this.draw(false);
  }

  finish(note = ''): void {
    if (Number.isFinite(this.to) && !note) this.simTime = this.to;
    this.draw(true, note);
  }

  private draw(final: boolean, note = ''): void {
    const elapsed = Math.max(1, this.now() - this.started);
    const perSecond = (count: number) => Math.round((count * 1000) / elapsed);
    const counts = `${this.messages} msg (${perSecond(this.messages)}/s), ${this.samples} samples (${perSecond(this.samples)}/s)`;
    let line: string;
    if (Number.isFinite(this.to)) {
      const fraction = Math.min(1, Math.max(0, (this.simTime - this.from) / (this.to - this.from)));
      // Progress moves a simulated day at a time: the first day's guess would be wild.
      const eta = fraction >= 0.005 && !final ? ` ETA ${duration((elapsed * (1 - fraction)) / fraction)}` : '';
      const bar = this.out.isTTY ? `[${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '.')}] ` : '';
      line = `${bar}${(fraction * 100).toFixed(1).padStart(5)} % at ${formatTs(this.simTime).slice(0, 16)}Z, ${counts}, ${duration(elapsed)}${eta}`;
    } else {
      line = `simulated clock ${formatTs(this.simTime)}, ${counts}, running ${duration(elapsed)}`;
    }
    if (note) line += ` ${note}`;
    if (this.out.isTTY) {
      const width = Math.max(20, (this.out.columns || 120) - 1);
      this.out.write(`\r${line.slice(0, width).padEnd(width)}${final ? '\n' : ''}`);
    } else {
      this.out.write(`${line}\n`);
    }
  }
}

function duration(ms: number): string {
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
