import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestApp, startTestApp } from '../support/test-app';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'test', 'fixtures', 'openapi-client', 'publish-factor-set.ts');

/**
 * Issue 18, must-show 2: a client generated from the running service's /docs-json by
 * openapi-typescript type-checks a script that publishes a factor set and reads the change
 * report, and the script then does so against the service.
 */
describe('a client generated from /docs-json', () => {
  let t: TestApp;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'openapi-client-'));
  }, 120_000);

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('type-checks the script with the generated types, and the script publishes a set and reads its change report', async () => {
    // openapi-typescript's own command line, as a user would run it (its library is ESM-only inside, which Jest does not load).
    writeFileSync(path.join(dir, 'openapi.json'), await (await fetch(`${base}/docs-json`)).text());
    const generator = path.join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    execFileSync(process.execPath, [generator, path.join(dir, 'openapi.json'), '--output', path.join(dir, 'api-types.ts')], { stdio: 'pipe' });
    copyFileSync(SCRIPT, path.join(dir, 'publish-factor-set.ts'));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const options = ['--strict', '--target', 'ES2022', '--module', 'commonjs', '--esModuleInterop', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types')];
    /** tsc's complaints about a file (compiled into the same folder); empty when it compiles. */
    const typeErrors = (file: string): string => {
      try {
        execFileSync(process.execPath, [tsc, ...options, '--outDir', dir, path.join(dir, file)], { stdio: 'pipe' });
        return '';
      } catch (error) {
        return String((error as { stdout?: Buffer }).stdout ?? error);
      }
    };
    expect(typeErrors('publish-factor-set.ts')).toBe('');

    // The check can fail: a script that misspells a field of the document does not compile.
    writeFileSync(
      path.join(dir, 'misspelled.ts'),
      `import type { paths } from './api-types';\nconst body: paths['/api/v1/emissions/factor-sets']['post']['requestBody']['content']['application/json'] = { name: 'x', factors: [], consumptions: [] };\nexport default body;\n`,
    );
    expect(typeErrors('misspelled.ts')).toMatch(/'consumptions' does not exist/);

    // Then run as its user would, with the service's address and a key (asynchronously: the service answers from this process).
    const { stdout: output } = await promisify(execFile)(process.execPath, [path.join(dir, 'publish-factor-set.js'), base, t.adminKey], { encoding: 'utf8' });
    expect(output).toMatch(/^factor set \d+ published; emissions 2019 -> 2020: \d+\.\d -> \d+\.\d kg \((-?\d+\.\d|n\/a) %\)\n$/);
    const version = Number(/factor set (\d+)/.exec(output)![1]);
    const sets = (await t.http().get('/api/v1/emissions/factor-sets').set('Authorization', `Bearer ${t.adminKey}`).expect(200)).body;
    expect(sets.at(-1)).toMatchObject({ version, name: 'Municipal figures 2019-2020' });
  }, 600_000);
});
