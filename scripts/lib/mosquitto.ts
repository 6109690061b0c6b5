import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RunningBroker {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Installs new password and ACL files (e.g. after re-running broker:auth) and has the broker re-read them (SIGHUP, as in production). */
  reloadAuth(auth: BrokerAuthFiles): Promise<void>;
  /** Stops the broker (SIGTERM, then SIGKILL) and, unless keepData, removes its data folder. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Sends the signal and waits for the broker to exit, keeping its data folder (to restart it with startBroker({ port, dataDir })). */
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** The password and ACL files written by `npm run broker:auth`. */
export interface BrokerAuthFiles {
  passwordFile: string;
  aclFile: string;
}

function projectConfig(name: string): string {
  // Works from scripts/lib (ts-jest) and dist/scripts/lib (built).
  for (const candidate of [path.resolve(__dirname, '..', '..', '..', 'config', name), path.resolve(__dirname, '..', '..', 'config', name)]) {
    try {
      return readFileSync(candidate, 'utf8');
    } catch {
      /* try the next layout */
    }
  }
  throw new Error(`config/${name} not found`);
}

/**
 * The project's broker config with its listener and persistence moved to `port` and `dataDir`;
 * with `auth`, config/mosquitto-auth.conf appended (as in production) with its paths set to them.
 */
export function brokerConfig(port: number, dataDir: string, auth?: BrokerAuthFiles, overrides: Record<string, string> = {}): string {
  const replaced = ['listener', 'persistence_location', 'log_dest', ...Object.keys(overrides)];
  const kept = projectConfig('mosquitto.conf')
    .split('\n')
    .filter((line) => !replaced.includes(line.trim().split(/\s+/)[0]));
  const authLines = auth
    ? projectConfig('mosquitto-auth.conf')
        .split('\n')
        .map((line) => line.replace(/^(\s*password_file)\s.*$/, `$1 ${auth.passwordFile}`).replace(/^(\s*acl_file)\s.*$/, `$1 ${auth.aclFile}`))
    : [];
  return [
    ...kept,
    ...Object.entries(overrides).map(([key, value]) => `${key} ${value}`),
    ...authLines,
    `persistence_location ${dataDir}/`,
    `log_dest file ${dataDir}/mosquitto.log`,
    `listener ${port} 127.0.0.1`,
    '',
  ].join('\n');
}

/** Who Mosquitto runs as: started by root it drops to user mosquitto, and reads its password and ACL files after that. */
function brokerUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'mosquitto'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** Copies the auth files into the broker's folder, readable by the broker's user only (0600). */
function installAuth(dataDir: string, auth: BrokerAuthFiles): BrokerAuthFiles {
  const installed = { passwordFile: path.join(dataDir, 'passwords'), aclFile: path.join(dataDir, 'acl') };
  const owner = brokerUser();
  for (const [from, to] of [
    [auth.passwordFile, installed.passwordFile],
    [auth.aclFile, installed.aclFile],
  ]) {
    const staged = `${to}.new`;
    copyFileSync(from, staged);
    chmodSync(staged, 0o600);
    if (owner) chownSync(staged, owner.uid, owner.gid);
    // Renamed into place so that a reload never reads a half-copied file.
    renameSync(staged, to);
  }
  return installed;
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
 * With `auth` (the files of `npm run broker:auth`) it runs config/mosquitto-auth.conf too: no
 * anonymous clients, the password file and the ACL (copied into the folder for the broker's user).
 * `configOverrides` replace settings of the project's config (e.g. a test's shorter `autosave_interval`).
 */
export async function startBroker(options: { port?: number; dataDir?: string; auth?: BrokerAuthFiles; configOverrides?: Record<string, string> } = {}): Promise<RunningBroker> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'klimaklok-broker-'));
  chmodSync(dataDir, 0o777);
  const configFile = path.join(dataDir, 'mosquitto.conf');
  const auth = options.auth ? installAuth(dataDir, options.auth) : undefined;
  writeFileSync(configFile, brokerConfig(port, dataDir, auth, options.configOverrides));
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
    async reloadAuth(files) {
      if (!auth) throw new Error('this broker was started without auth files');
      installAuth(dataDir, files);
      child.kill('SIGHUP');
      // Mosquitto re-reads the files in its next main-loop pass (it logs that only at log_type
      // information, which the project config leaves off): give it a moment; callers that need
      // certainty wait until a new login is accepted.
      await new Promise((resolve) => setTimeout(resolve, 500));
    },
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
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
