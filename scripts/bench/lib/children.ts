import { ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';
import { SERVICE_NODE_FLAGS } from '../../lib/service-node-flags';
import { ChildMessage } from './protocol';

/**
 * Every process the bench starts is registered here and killed on every way out: normal end,
 * failure, Ctrl-C, SIGTERM, and (SIGKILL only) a plain `exit`.
 */
const running = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Last resort on `exit`: synchronous, so only SIGKILL. */
export function killAllNow(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child, 3000)));
}

/** A forked bench child (publisher, subscriber, consumer) speaking the IPC protocol. */
export class BenchChild {
  readonly child: ChildProcess;
  private readonly waiters: Array<{ type: ChildMessage['type']; resolve: (message: ChildMessage) => void }> = [];
  private failure: Error | undefined;
  private readonly failureListeners: Array<(error: Error) => void> = [];
  last: Partial<Record<ChildMessage['type'], ChildMessage>> = {};
  stderr = '';

  constructor(
    readonly name: string,
    script: string,
  ) {
    this.child = track(
      fork(path.join(__dirname, '..', script), [], {
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
        execArgv: ['--max-old-space-size=2048'],
        serialization: 'advanced',
      }),
    );
    this.child.stderr!.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    this.child.on('message', (message: ChildMessage) => {
      this.last[message.type] = message;
      if (message.type === 'error') return this.fail(new Error(`${name}: ${message.message}`));
      for (let i = 0; i < this.waiters.length; i++) {
        if (this.waiters[i].type === message.type) {
          const [waiter] = this.waiters.splice(i, 1);
          waiter.resolve(message);
          break;
        }
      }
    });
    this.child.once('exit', (code, signal) => {
      if (code !== 0) this.fail(new Error(`${name} exited with ${signal ?? `code ${code}`}${this.stderr ? `:\n${this.stderr}` : ''}`));
      else this.fail(new Error(`${name} exited`));
    });
  }

  private fail(error: Error) {
    if (this.failure) return;
    this.failure = error;
    for (const listener of this.failureListeners) listener(error);
  }

  send(message: { type: string; config?: unknown }): void {
    if (this.child.connected) this.child.send(message);
  }

  /** The next message of this type; rejects if the child fails or exits first, or after `timeoutMs`. */
  next<T extends ChildMessage['type']>(type: T, timeoutMs = 120_000): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const timer = setTimeout(() => reject(new Error(`${this.name}: no "${type}" within ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiters.push({
        type,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message as Extract<ChildMessage, { type: T }>);
        },
      });
      this.failureListeners.push((error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Rejects when the child fails; for racing against other waits. */
  failed(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.failure) return reject(this.failure);
      this.failureListeners.push(reject);
    });
  }

  /** Asks the child to stop, then makes sure it is gone. */
  async stop(): Promise<void> {
    this.failure ??= new Error(`${this.name} stopped`);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ type: 'stop' });
    const timer = setTimeout(() => void stopProcess(this.child, 2000), 3000);
    await exited;
    clearTimeout(timer);
  }
}

const MAIN = path.resolve(__dirname, '..', '..', '..', 'src', 'main.js');

/** The built service (`node dist/src/main.js`) as its own process with exactly this environment (plus PATH). */
export class ServiceProcess {
  readonly child: ChildProcess;
  /** The last 20 kB of its output. */
  output = '';
  /** Log lines it wrote (it runs at LOG_LEVEL=warn) and, of those, MQTT keepalive timeouts of its connections. */
  logLines = 0;
  keepaliveTimeouts = 0;
  private partial = '';
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>, nodeArgs: string[] = []) {
    this.child = track(
      spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...nodeArgs, MAIN], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk).slice(-20_000);
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        this.logLines++;
        if (line.includes('Keepalive timeout')) this.keepaliveTimeouts++;
      }
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (the service drains and exits), SIGKILL after 20 s. */
  stop(): Promise<void> {
    return stopProcess(this.child, 20_000);
  }
}
