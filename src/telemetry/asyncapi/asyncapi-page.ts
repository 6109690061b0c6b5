import express, { Router } from 'express';
import { AsyncApiDocument, AsyncApiMessage, JsonSchema, Ref, loadAsyncApiDocument, resolveRef } from './asyncapi-document';

export const ASYNCAPI_PATH = '/asyncapi';

/**
 * The MQTT contract for people: `/asyncapi` renders docs/asyncapi.yaml as one HTML page (what
 * `/docs` is for the REST API), `/asyncapi.yaml` serves the document itself. The page is made
 * here from the document, with no script and nothing from another host (the AsyncAPI web
 * components would load React and fonts from a CDN), so helmet's default policy holds. Public,
 * as `/docs` is: the contract is what every device maker needs.
 */
export function asyncApiPages(file?: string): Router {
  const { text, document } = loadAsyncApiDocument(file);
  const page = renderAsyncApiPage(document);
  const router = express.Router();
  router.get(ASYNCAPI_PATH, (_request, response) => {
    response.type('html').send(page);
  });
  router.get(`${ASYNCAPI_PATH}.yaml`, (_request, response) => {
    response.type('text/yaml; charset=utf-8').send(text);
  });
  return router;
}

export function renderAsyncApiPage(document: AsyncApiDocument): string {
  const { info } = document;
  const servers = Object.entries(document.servers ?? {}).map(
    ([name, server]) => `<li><strong>${esc(name)}</strong>: <code>${esc(server.protocol)}://${esc(server.host)}</code> ${inline(server.description ?? '')}</li>`,
  );
  const operations = Object.entries(document.operations).map(([name, operation]) => {
    const channel = resolveRef<AsyncApiDocument['channels'][string]>(document, operation.channel);
    return { name, operation, channel };
  });
  const channelSections = operations.map(({ name, operation, channel }) => {
    const messages = Object.values(channel.messages).map((ref) => message(document, ref));
    const rejections = (operation['x-rejections'] ?? []).map((reason) => `<a href="#reason-${esc(reason)}"><code>${esc(reason)}</code></a>`).join(', ');
    return `<section class="channel" id="${esc(name)}">
<h3><span class="action">${esc(operation.action === 'receive' ? 'PUBLISH to the service' : 'SUBSCRIBE')}</span> <code>${esc(channel.address)}</code></h3>
<p>${inline(channel.title ?? '')}${channel.description ? `: ${inline(channel.description)}` : ''} ${inline(operation.summary ?? '')}</p>
${messages.join('\n')}
<p class="errors">Refused as: ${rejections || 'nothing'}</p>
</section>`;
  });
  const reasons = (document.components.schemas.RejectionReason.oneOf as Array<{ const: string; description: string }>).map(
    (reason) => `<tr id="reason-${esc(reason.const)}"><td><code>${esc(reason.const)}</code></td><td>${inline(reason.description)}</td></tr>`,
  );
  const parameters = Object.entries(document.components.parameters ?? {}).map(([name, parameter]) => `<li><code>{${esc(name)}}</code>: ${inline(parameter.description ?? '')}</li>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(info.title)} ${esc(info.version)} (AsyncAPI)</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 2rem; color: #1d2a33; }
code { background: #eef2f5; padding: 0 .25rem; border-radius: 3px; }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #d5dde3; padding: .25rem .5rem; }
.channel { border-left: 4px solid #2b6b8f; padding-left: 1rem; margin: 1.5rem 0; }
.action { font-size: .8em; background: #2b6b8f; color: #fff; padding: .1rem .4rem; border-radius: 3px; }
.errors { color: #6b3b1d; }
pre { background: #eef2f5; padding: .5rem; overflow-x: auto; }
</style>
</head>
<body>
<header>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>AsyncAPI ${esc(document.asyncapi)} document: <a href="${ASYNCAPI_PATH}.yaml">asyncapi.yaml</a>. The REST API is at <a href="/docs">/docs</a>.</p>
</header>
<main>
<section id="about"><h2>About</h2>${markdown(info.description ?? '')}</section>
<section id="servers"><h2>Servers</h2><ul>${servers.join('')}</ul></section>
<section id="channels"><h2>Channels</h2><ul>${parameters.join('')}</ul>${channelSections.join('\n')}</section>
<section id="rejections"><h2>Rejection reasons</h2>
<p>${inline(document.components.messages.DeadLetter?.summary ?? '')}</p>
<table><thead><tr><th>reason</th><th>when</th></tr></thead><tbody>${reasons.join('')}</tbody></table>
</section>
</main>
</body>
</html>
`;
}

function message(document: AsyncApiDocument, ref: Ref): string {
  const msg = resolveRef<AsyncApiMessage>(document, ref);
  const examples = (msg.examples ?? []).map((example) => `<pre>${esc(typeof example.payload === 'string' ? example.payload : JSON.stringify(example.payload))}</pre>`);
  return `<div class="message" id="message-${esc(msg.name)}">
<h4>${esc(msg.title ?? msg.name)} <small>(${esc(msg.contentType ?? document.defaultContentType ?? 'application/json')})</small></h4>
${msg.summary ? `<p>${inline(msg.summary)}</p>` : ''}
${payload(document, msg.payload)}
${examples.length ? `<p>Example:</p>${examples.join('')}` : ''}
</div>`;
}

/** A payload: its object's fields as a table; a sample-or-array payload says so and shows the sample's fields. */
function payload(document: AsyncApiDocument, schema: JsonSchema): string {
  const alternatives = schema.anyOf as JsonSchema[] | undefined;
  const batch = alternatives?.find((alternative) => alternative.type === 'array');
  if (batch) {
    const item = deref(document, batch.items as JsonSchema);
    return `<p>One sample, or an array of ${esc(String(batch.minItems))} to ${esc(String(batch.maxItems))} samples.</p>${objectTable(document, item)}`;
  }
  const resolved = deref(document, schema);
  return resolved.type === 'object' ? objectTable(document, resolved) : `<p>${typeOf(document, resolved)}</p>`;
}

function objectTable(document: AsyncApiDocument, schema: JsonSchema): string {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows = Object.entries((schema.properties as Record<string, JsonSchema>) ?? {}).map(([name, property]) => {
    const resolved = deref(document, property);
    const note = property.description ?? resolved.description;
    return `<tr><td><code>${esc(name)}</code></td><td>${required.has(name) ? 'required' : ''}</td><td>${typeOf(document, property)}</td><td>${note ? inline(String(note)) : ''}</td></tr>`;
  });
  const rules = [...((schema.allOf as JsonSchema[] | undefined) ?? []), ...(schema.anyOf ? [schema] : [])]
    .map((rule) => rule.description ?? (rule.anyOf as JsonSchema[] | undefined)?.[0]?.description)
    .filter((text): text is string => typeof text === 'string')
    .map((text) => `<li>${inline(text)}</li>`);
  return `<table><thead><tr><th>field</th><th></th><th>type</th><th>meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>${rules.length ? `<ul>${rules.join('')}</ul>` : ''}`;
}

/** A schema's type in words: alternatives joined by "or", with ranges, patterns and enumerations. */
function typeOf(document: AsyncApiDocument, schema: JsonSchema): string {
  const resolved = deref(document, schema);
  // A named building block (e.g. a numeric string) by its title rather than its pattern again.
  if (schema.$ref && typeof resolved.title === 'string') return esc(resolved.title);
  if (resolved.anyOf || resolved.oneOf) return ((resolved.anyOf ?? resolved.oneOf) as JsonSchema[]).map((alternative) => typeOf(document, alternative)).join(' or ');
  if (resolved.allOf)
    return (resolved.allOf as JsonSchema[])
      .map((part) => typeOf(document, part))
      .filter(Boolean)
      .join(', ');
  if (resolved.not) return '';
  if (resolved.enum) return (resolved.enum as unknown[]).map((value) => `<code>${esc(String(value))}</code>`).join(', ');
  if (resolved.const !== undefined) return `<code>${esc(String(resolved.const))}</code>`;
  const parts = [esc(String(resolved.type ?? 'any'))];
  if (resolved.format) parts.push(`(${esc(String(resolved.format))})`);
  const min = resolved.minimum;
  const max = resolved.maximum;
  if (min !== undefined && max !== undefined && (max as number) < 1e300) parts.push(`${esc(String(min))}..${esc(String(max))}`);
  else if (min !== undefined) parts.push(`&ge; ${esc(String(min))}`);
  if (resolved.maxLength !== undefined) parts.push(`of ${esc(String(resolved.minLength ?? 0))}..${esc(String(resolved.maxLength))} characters`);
  if (resolved.pattern && resolved.type === 'string' && !resolved.maxLength) parts.push(`matching <code>${esc(String(resolved.pattern))}</code>`);
  return parts.join(' ');
}

function deref(document: AsyncApiDocument, schema: JsonSchema): JsonSchema {
  return typeof schema.$ref === 'string' ? deref(document, resolveRef<JsonSchema>(document, schema as unknown as Ref)) : schema;
}

/** The description's own markup: paragraphs, "- " lists and `code`. */
function markdown(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((line) => /^\s*- |^\s{2,}\S/.test(line))) {
        const items = block.split(/\n(?=\s*- )/).map((item) => `<li>${inline(item.replace(/^\s*- /, '').replace(/\s*\n\s*/g, ' '))}</li>`);
        return `<ul>${items.join('')}</ul>`;
      }
      return `<p>${inline(block.replace(/\s*\n\s*/g, ' '))}</p>`;
    })
    .join('\n');
}

function inline(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
