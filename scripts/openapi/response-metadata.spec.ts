import { readFileSync } from 'node:fs';
import path from 'node:path';
import { METADATA_FILE, generateMetadata, metadataSource } from './response-metadata';

/** The committed metadata is what the controllers' types give today (regenerate: npm run openapi:metadata). */
describe('OpenAPI metadata', () => {
  it('is current', () => {
    const root = path.join(__dirname, '..', '..');
    expect(readFileSync(path.join(root, METADATA_FILE), 'utf8')).toBe(metadataSource(generateMetadata(root)));
  }, 300_000);
});
