import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/lib/mosquitto';

/**
 * A PostgreSQL server of a test's own (initdb into a temporary folder, a free port), so that a
 * test can stop and start it under load without touching the machine's shared server and the
 * other tests and sessions that use it. As root the server runs as user postgres (PostgreSQL
 * refuses to run as root).
 */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:PORT`, without a database name. */
  server: string;
  port: number;
  start(): void;
  /** Fast shutdown: open connections are ended, as when an operator stops the server. */
  stop(): void;
  /** Stops the server and removes its folder. */
  destroy(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(root, version, 'bin');
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error(`no PostgreSQL server binaries (initdb) under ${root}`);
}

const running = new Set<PrivatePostgres>();
process.once('exit', () => {
  for (const server of running) server.destroy();
});

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'klimaklok-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const run = (command: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // Durability of the test server itself is not under test: no fsync keeps it fast on a busy machine.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  let started = false;
  const server: PrivatePostgres = {
    server: `postgres://postgres@127.0.0.1:${port}`,
    port,
    start() {
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', 'start']);
      started = true;
    },
    stop() {
      if (!started) return;
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      started = false;
    },
    destroy() {
      try {
        server.stop();
      } catch {
        /* already gone */
      }
      running.delete(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(server);
  try {
    server.start();
  } catch (error) {
    server.destroy();
    throw error;
  }
  return server;
}
