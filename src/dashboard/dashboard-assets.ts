import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';

/** Where `npm run build` puts the dashboard (see scripts/build-dashboard.ts). */
export const DASHBOARD_OUT_DIR = path.join('dist', 'dashboard');

/**
 * The project root: the nearest folder above this file holding package.json. This file runs
 * from src/ under ts-jest and from dist/src/ when built, so a fixed `..` count would be wrong
 * for one of them.
 */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export function dashboardDir(): string {
  return path.join(projectRoot(), DASHBOARD_OUT_DIR);
}

/**
 * The web dashboard: its page at `/` and its bundled scripts and styles under `/assets`.
 * Plain Express middleware outside Nest's router: the assets are public (the page asks for the
 * API key and sends it as a bearer token to /api, whose guard is unchanged), and nothing here
 * answers under /api. Only these two paths touch the file system, so API requests cost no stat.
 * Assets have fixed names: `no-cache` makes browsers revalidate (ETag) after a deploy.
 *
 * The page gets helmet's default content security policy less `upgrade-insecure-requests`, and
 * its one inline script allowed by hash (inlineScriptHashes). Without `upgrade-insecure-requests`:
 * with it, a browser opening the page over plain HTTP at any host but localhost (the demo from
 * another machine, an intranet address) fetches the page's scripts by HTTPS and shows nothing.
 * Dropping it weakens nothing here: every request of the page goes to its own origin, so over
 * HTTPS there is nothing insecure to upgrade.
 */
export function dashboardAssets(dir: string, tileUrl?: string): Router {
  const router = express.Router();
  const noCache = (response: express.Response) => response.setHeader('Cache-Control', 'no-cache');
  router.use('/assets', express.static(path.join(dir, 'assets'), { index: false, setHeaders: noCache }));
  // Map tiles are images from the configured tile source (MAP_TILE_URL): that one host is added to img-src.
  const imgSrc = ["'self'", 'data:', ...(tileUrl ? [tileSource(tileUrl)] : [])];
  const scriptSrc = ["'self'", ...inlineScriptHashes(path.join(dir, 'index.html'))];
  const pagePolicy = helmet.contentSecurityPolicy({ directives: { upgradeInsecureRequests: null, imgSrc, scriptSrc } });
  router.get('/', pagePolicy, (_request, response, next) => {
    noCache(response);
    response.sendFile(path.join(dir, 'index.html'), (error) => error && next());
  });
  return router;
}

/**
 * The CSP sources of the page's inline scripts (the build writes the early script into it): each
 * one's SHA-256, so that exactly these run and any other inline script, an injected one, does not.
 * Read once: a rebuilt page is served by a restarted service.
 */
export function inlineScriptHashes(page: string): string[] {
  if (!existsSync(page)) return [];
  return [...readFileSync(page, 'utf8').matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => `'sha256-${createHash('sha256').update(match[1], 'utf8').digest('base64')}'`);
}

/** The CSP source of a tile URL template: its scheme and host, a `{s}` subdomain as the wildcard `*`. */
export function tileSource(tileUrl: string): string {
  const origin = /^(https?:\/\/[^/?#]+)/i.exec(tileUrl);
  if (!origin) throw new Error(`not a tile URL: ${tileUrl}`);
  return origin[1].replace('{s}', '*');
}
