/**
 * Builds the web dashboard (dashboard/) into dist/dashboard: its scripts (TypeScript, Leaflet
 * and Chart.js, bundled by esbuild as ES modules: no CDN, works offline) and one stylesheet under
 * assets/, and the page. Runs as the second half of `npm run build`, after tsc compiled this file.
 *
 * First it writes the service's OpenAPI document (dist/openapi.json) and the dashboard's API
 * types from it (dashboard/src/api-types.generated.ts, by openapi-typescript), and type-checks
 * the dashboard against them: a server type the dashboard's code no longer fits fails the build.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { BuildOptions, Metafile, build } from 'esbuild';
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
  const common: BuildOptions = {
    outdir: path.join(out, 'assets'),
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    target: ['chrome109', 'firefox115', 'safari16'],
    legalComments: 'linked',
    logLevel: 'warning',
  };
  // The early script on its own (nothing imported), written into the page: it asks for the board's data before anything else has loaded.
  const early = await build({ ...common, entryPoints: [path.join(source, 'src', 'early.ts')], format: 'iife', sourcemap: false, write: false });
  const earlyScript = early.outputFiles[0].text.trim();
  const { metafile } = await build({
    ...common,
    entryPoints: [
      { in: path.join(source, 'src', 'main.ts'), out: 'app' },
      { in: path.join(source, 'styles.css'), out: 'style' },
    ],
    // ES modules, split: the views other than the board (and Chart.js) are chunks loaded when first opened.
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    // Leaflet's stylesheet names a few small images (layer and marker icons): inlined, nothing fetched.
    loader: { '.png': 'dataurl', '.svg': 'dataurl' },
  });
  const board = boardScripts(metafile, out);
  const page = withEarlyScript(withPreloads(readFileSync(path.join(source, 'index.html'), 'utf8'), board), earlyScript);
  writeFileSync(path.join(out, 'index.html'), page);
  copyFileSync(path.join(source, 'icon.svg'), path.join(out, 'assets', 'icon.svg'));
  const scripts = Object.keys(metafile.outputs)
    .filter((file) => file.endsWith('.js'))
    .map((file) => urlPath(out, file));
  printShippedSize(out, earlyScript, board, scripts);
}

/**
 * The scripts the board's page loads: app.js and the chunks it imports statically, as URL paths
 * (/assets/…). The chunks of the other views are not among them.
 */
function boardScripts(metafile: Metafile, out: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file].imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(Object.keys(metafile.outputs).find((file) => file.endsWith('/app.js'))!);
  return [...seen].map((file) => urlPath(out, file));
}

/** A file of the metafile (its paths are relative to the working directory) as the page names it. */
function urlPath(out: string, file: string): string {
  return `/${path.relative(out, path.resolve(file)).split(path.sep).join('/')}`;
}

/**
 * The page with the early script written in: a script file would be one more request, answered
 * while the service is busy, before the board's data is asked for. The service allows exactly
 * this script by its hash (src/dashboard/dashboard-assets.ts), so the page has no other inline script.
 */
function withEarlyScript(page: string, script: string): string {
  if (!page.includes('<!-- early -->')) throw new Error('index.html has no <!-- early --> place for the early script');
  if (/<\/script/i.test(script)) throw new Error('the early script contains "</script": it cannot be written into the page');
  return page.replace('<!-- early -->', `<script>${script}</script>`);
}

/**
 * The page with a modulepreload link per chunk the board imports: fetched with the entry
 * scripts, not one round trip after them (when the entry's imports are read).
 */
function withPreloads(page: string, scripts: string[]): string {
  const chunks = scripts.filter((script) => script.includes('/chunks/'));
  const links = chunks.map((chunk) => `<link rel="modulepreload" href="${chunk}" />`).join('\n    ');
  if (!page.includes('<!-- chunks -->')) throw new Error('index.html has no <!-- chunks --> place for the preload links');
  return page.replace('<!-- chunks -->', links);
}

/** What the board ships, gzipped (issue 20's budget: JavaScript <= 400 KiB), and all the dashboard's scripts (URL paths). */
function printShippedSize(out: string, earlyScript: string, board: string[], all: string[]) {
  const gzipped = (text: Buffer | string) => gzipSync(text, { level: 9 }).length / 1024;
  const total = (scripts: string[]) => gzipped(earlyScript) + scripts.reduce((sum, script) => sum + gzipped(readFileSync(path.join(out, script))), 0);
  const css = gzipped(readFileSync(path.join(out, 'assets', 'style.css')));
  process.stdout.write(
    `dashboard: the board's JavaScript ${total(board).toFixed(1)} KiB gzipped (the page's early script and ${board.length} files; budget 400 KiB); all views' ${total(all).toFixed(1)} KiB; style.css ${css.toFixed(1)} KiB\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`dashboard build failed: ${(error as Error).message}\n`);
  process.exit(1);
});
