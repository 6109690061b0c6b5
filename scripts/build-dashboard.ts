/**
 * Builds the web dashboard (dashboard/) into dist/dashboard: one script bundle (TypeScript and
 * Chart.js, bundled by esbuild: no CDN, works offline) and one stylesheet under assets/, and the
 * page. Runs as the second half of `npm run build`, after tsc compiled this file.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { build } from 'esbuild';
import { DASHBOARD_OUT_DIR, projectRoot } from '../src/dashboard/dashboard-assets';

async function main() {
  const root = projectRoot(__dirname);
  const source = path.join(root, 'dashboard');
  const out = path.join(root, DASHBOARD_OUT_DIR);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(path.join(out, 'assets'), { recursive: true });
  await build({
    entryPoints: [
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
