import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inlineScriptHashes, projectRoot, tileSource } from './dashboard-assets';

describe('projectRoot', () => {
  it('finds the folder with package.json from src/ (ts-jest) and from dist/src/ (built)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'klimaklok-root-'));
    writeFileSync(path.join(root, 'package.json'), '{}');
    mkdirSync(path.join(root, 'src', 'dashboard'), { recursive: true });
    mkdirSync(path.join(root, 'dist', 'src', 'dashboard'), { recursive: true });
    expect(projectRoot(path.join(root, 'src', 'dashboard'))).toBe(root);
    expect(projectRoot(path.join(root, 'dist', 'src', 'dashboard'))).toBe(root);
  });

  it('fails loudly when there is no package.json above', () => {
    const lonely = mkdtempSync(path.join(tmpdir(), 'klimaklok-none-'));
    expect(() => projectRoot(lonely)).toThrow(/no package.json above/);
  });
});

describe('tileSource', () => {
  it('is the scheme and host of the tile template, a {s} subdomain as a wildcard', () => {
    expect(tileSource('https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png')).toBe('https://cache.kartverket.no');
    expect(tileSource('https://{s}.tile.example.org/{z}/{x}/{y}.png')).toBe('https://*.tile.example.org');
    expect(tileSource('http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png')).toBe('http://127.0.0.1:8081');
  });
});

describe('inlineScriptHashes', () => {
  it("is each inline script's SHA-256 as a CSP source, not the scripts loaded from files", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'klimaklok-page-'));
    const page = path.join(dir, 'index.html');
    writeFileSync(page, '<head><script>console.log(1)</script><script type="module" src="/assets/app.js"></script></head>');
    // echo -n 'console.log(1)' | openssl dgst -sha256 -binary | base64
    expect(inlineScriptHashes(page)).toEqual(["'sha256-CihokcEcBW4atb/CW/XWsvWwbTjqwQlE9nj9ii5ww5M='"]);
  });

  it('is none when the page is not built', () => {
    expect(inlineScriptHashes(path.join(tmpdir(), 'no-such-folder', 'index.html'))).toEqual([]);
  });
});
