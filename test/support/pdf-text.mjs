// Prints the text of a PDF (path in argv[2]) page by page, one text line per line, with pdfjs-dist:
// pdfjs-dist is an ES module, so the tests (CommonJS under ts-jest) run this as a child process.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const standardFontDataUrl = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

const data = new Uint8Array(await readFile(process.argv[2]));
const pdf = await getDocument({ data, useSystemFonts: false, isEvalSupported: false, standardFontDataUrl }).promise;
for (let n = 1; n <= pdf.numPages; n++) {
  const { items } = await (await pdf.getPage(n)).getTextContent();
  process.stdout.write(items.map((item) => item.str + (item.hasEOL ? '\n' : '')).join('') + '\n');
}
