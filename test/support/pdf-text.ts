import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The text of a PDF as a PDF-to-text tool reads it (pdfjs-dist, see pdf-text.mjs); non-breaking spaces as spaces. */
export async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pdf-text-'));
  try {
    const file = join(dir, 'file.pdf');
    await writeFile(file, pdf);
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'pdf-text.mjs'), file]);
    return stdout.replace(/\u00a0/g, ' ');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
