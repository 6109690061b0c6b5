import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { projectRoot } from '../../dashboard/dashboard-assets';

/** The MQTT interface as AsyncAPI 3: written by hand, validated and checked against the decoder by asyncapi.spec.ts. */
export function asyncApiFile(): string {
  return path.join(projectRoot(), 'docs', 'asyncapi.yaml');
}

/** The parts of the document the page and the tests read; the rest is passed through as it is. */
export interface AsyncApiDocument {
  asyncapi: string;
  defaultContentType?: string;
  info: { title: string; version: string; description?: string; [extension: string]: unknown };
  servers?: Record<string, { host: string; protocol: string; description?: string }>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: {
    messages: Record<string, AsyncApiMessage>;
    schemas: Record<string, JsonSchema>;
    parameters?: Record<string, { description?: string; examples?: string[] }>;
  };
}

export interface AsyncApiChannel {
  address: string;
  title?: string;
  description?: string;
  messages: Record<string, Ref>;
}

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Ref;
  summary?: string;
  'x-rejections'?: string[];
}

export interface AsyncApiMessage {
  name: string;
  title?: string;
  summary?: string;
  contentType?: string;
  payload: JsonSchema;
  examples?: Array<{ name?: string; payload: unknown }>;
}

export interface Ref {
  $ref: string;
}

export type JsonSchema = { [keyword: string]: unknown };

export function loadAsyncApiDocument(file = asyncApiFile()): { text: string; document: AsyncApiDocument } {
  const text = readFileSync(file, 'utf8');
  return { text, document: load(text) as AsyncApiDocument };
}

/** What a local `#/...` reference points at. */
export function resolveRef<T>(document: AsyncApiDocument, ref: Ref): T {
  if (!ref.$ref.startsWith('#/')) throw new Error(`only local references are used here, got ${ref.$ref}`);
  let node: unknown = document;
  for (const part of ref.$ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node === undefined) throw new Error(`${ref.$ref} points at nothing`);
  return node as T;
}
