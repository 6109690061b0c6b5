import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RunningBroker {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Stops the broker (SIGTERM, then SIGKILL) and, unless keepData, removes its data folder. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

const PROJECT_CONFIG = path.resolve(__dirname, '..', '..', '..', 'config', 'mosquitto.conf');

function projectConfig(): string {
  // Works from scripts/lib (ts-jest) and dist/scripts/lib (built).
  for (const candidate of [PROJECT_CONFIG, path.resolve(__dirname, '..', '..', 'config', 'mosquitto.conf')]) {
    try {
      return readFileSync(candidate, 'utf8');
    } catch {
      /* try the next layout */
    }
  }
  throw new Error('config/mosquitto.conf not found');
}

/** The project's broker config with its listener and persistence moved to `port` and `dataDir`. */
export function brokerConfig(port: number, dataDir: string): string {
  const kept = projectConfig()
    .split('\n')
    .filter((line) => !/^\s*(listener|persistence_location|log_dest)\b/.test(line));
  return [...kept, `persistence_location ${dataDir}/`, `log_dest file ${dataDir}/mosquitto.log`, `listener ${port} 127.0.0.1`, ''].join('\n');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not open port ${port} within ${timeoutMs} ms`);
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a Mosquitto with the project's config on a free port (or `options.port`), its
 * persistence in a fresh folder (or `options.dataDir`, to restart a broker on its old data).
 * Mosquitto started as root drops to user mosquitto, so the folder is made writable for it.
 */
export async function startBroker(options: { port?: number; dataDir?: string } = {}): Promise<RunningBroker> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'klimaklok-broker-'));
  chmodSync(dataDir, 0o777);
  const configFile = path.join(dataDir, 'mosquitto.conf');
  writeFileSync(configFile, brokerConfig(port, dataDir));
  chmodSync(configFile, 0o644);
  const child = spawn('mosquitto', ['-c', configFile], { stdio: 'ignore' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  try {
    await waitForPort(port, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dataDir,
    process: child,
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
