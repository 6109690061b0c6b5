/**
 * Builds the web dashboard (dashboard/) into dist/dashboard: one script bundle (TypeScript and
 * Chart.js, bundled by esbuild: no CDN, works offline) and one stylesheet under assets/, and the
 * page. Runs as the second half of `npm run build`, after tsc compiled this file.
 *
 * First it writes the service's OpenAPI document (dist/openapi.json) and the dashboard's API
 * types from it (dashboard/src/api-types.generated.ts, by openapi-typescript), and type-checks
 * the dashboard against them: a server type the dashboard's code no longer fits fails the build.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { build } from 'esbuild';
import openapiTS, { astToString } from 'openapi-typescript';
import { DASHBOARD_OUT_DIR, projectRoot } from '../src/dashboard/dashboard-assets';
import { OPENAPI_FILE, writeOpenApiDocument } from './openapi/write-document';

export const API_TYPES_FILE = path.join('dashboard', 'src', 'api-types.generated.ts');

/** The dashboard's types of the API, from the document: what openapi-typescript writes for any client. */
export async function writeApiTypes(documentFile: string, typesFile: string): Promise<void> {
  const ast = await openapiTS(JSON.parse(readFileSync(documentFile, 'utf8')));
  writeFileSync(typesFile, `// Generated from the service's OpenAPI document by openapi-typescript during npm run build: do not edit.\n\n${astToString(ast)}`);
}

async function main() {
  const root = projectRoot(__dirname);
  const source = path.join(root, 'dashboard');
  await writeOpenApiDocument(path.join(root, OPENAPI_FILE));
  await writeApiTypes(path.join(root, OPENAPI_FILE), path.join(root, API_TYPES_FILE));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(source, 'tsconfig.json')], { stdio: 'inherit' });
  const out = path.join(root, DASHBOARD_OUT_DIR);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(path.join(out, 'assets'), { recursive: true });
  await build({
    entryPoints: [
      { in: path.join(source, 'src', 'early.ts'), out: 'early' },
      { in: path.join(source, 'src', 'main.ts'), out: 'app' },
      { in: path.join(source, 'styles.css'), out: 'style' },
    ],
    outdir: path.join(out, 'assets'),
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'iife',
    target: ['chrome109', 'firefox115', 'safari16'],
    legalComments: 'linked',
    // Leaflet's stylesheet names a few small images (layer and marker icons): inlined, nothing fetched.
    loader: { '.png': 'dataurl', '.svg': 'dataurl' },
    logLevel: 'warning',
  });
  copyFileSync(path.join(source, 'index.html'), path.join(out, 'index.html'));
  copyFileSync(path.join(source, 'icon.svg'), path.join(out, 'assets', 'icon.svg'));
  printShippedSize(path.join(out, 'assets'));
}

/** What the board ships, gzipped (issue 20's budget: JavaScript <= 400 KiB). */
function printShippedSize(assets: string) {
  const gzipped = (file: string) => gzipSync(readFileSync(path.join(assets, file)), { level: 9 }).length / 1024;
  const js = gzipped('app.js');
  const css = gzipped('style.css');
  process.stdout.write(`dashboard: app.js ${js.toFixed(1)} KiB gzipped (budget 400 KiB), style.css ${css.toFixed(1)} KiB gzipped\n`);
}

main().catch((error) => {
  process.stderr.write(`dashboard build failed: ${(error as Error).message}\n`);
  process.exit(1);
});
