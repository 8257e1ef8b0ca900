import type { HttpMethod, OpenApiDocument, OpenApiOperation } from './openapi';

/**
 * The API reference page served at /docs: one self-contained HTML document (inline CSS, no
 * scripts, nothing loaded from elsewhere) listing every operation of the OpenAPI document,
 * grouped by tag, with its parameters, request body and responses.
 */

const METHODS: HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];
const SYSTEM_TAG = 'System';

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Json = Record<string, unknown>;

/** Follows a local `#/components/...` reference. */
function deref(doc: OpenApiDocument, value: Json): Json {
  const target = typeof value.$ref === 'string' ? value.$ref : undefined;
  if (!target?.startsWith('#/components/')) return value;
  const [kind, name] = target.slice('#/components/'.length).split('/');
  return doc.components[kind!]?.[name!] ?? value;
}

/** The component name a parameter reference points at. */
function componentName(p: Json): string | undefined {
  const target = typeof p.$ref === 'string' ? p.$ref : '';
  return target.startsWith('#/components/parameters/') ? target.slice('#/components/parameters/'.length) : undefined;
}

/** Referenced parameters link to where they are described (common ones, or the type's search parameters). */
function parameterRows(doc: OpenApiDocument, op: OpenApiOperation): string {
  const all = op.parameters ?? [];
  const names = all.map(componentName).filter((n): n is string => Boolean(n));
  const searchOwner = names.find((n) => n.includes('.'))?.split('.')[0];
  const links = [
    ...(searchOwner ? [`<a href="#search-${esc(searchOwner)}">search parameters</a>`] : []),
    ...names.filter((n) => !n.includes('.')).map((n) => `<a href="#param-${esc(n)}"><code>${esc(doc.components.parameters?.[n]?.name ?? n)}</code></a>`),
  ];
  const rows = all
    .filter((p) => !componentName(p))
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}${p.required ? ' (required)' : ''}</td><td>${esc(p.description ?? '')}</td></tr>`)
    .join('');
  const table = rows ? `<table><tr><th>parameter</th><th>in</th><th>meaning</th></tr>${rows}</table>` : '';
  return (links.length ? `<p>Parameters: ${links.join(', ')}</p>` : '') + table;
}

/** Parameter components whose names start with `prefix` (a type's search parameters: `Patient.`). */
function parameterTable(doc: OpenApiDocument, title: string, select: (name: string) => boolean): string {
  const rows = Object.entries(doc.components.parameters ?? {})
    .filter(([name]) => select(name))
    .map(([name, p]) => `<tr id="param-${esc(name)}"><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc(p.description ?? '')}</td></tr>`)
    .join('');
  return rows ? `${title}<table><tr><th>parameter</th><th>in</th><th>meaning</th></tr>${rows}</table>` : '';
}

function requestBody(doc: OpenApiDocument, op: OpenApiOperation): string {
  if (!op.requestBody) return '';
  const body = deref(doc, op.requestBody);
  const media = Object.keys((body.content as Json | undefined) ?? {});
  return `<p>Body: ${media.map((m) => `<code>${esc(m)}</code>`).join(', ')}${body.description ? ` — ${esc(body.description)}` : ''}</p>`;
}

/** Shared responses link to the table of common responses; the operation's own are described in place. */
function responses(op: OpenApiOperation): string {
  const items = Object.entries(op.responses).map(([status, r]) => {
    const target = typeof r.$ref === 'string' ? r.$ref.split('/').pop() : undefined;
    return target ? `<a href="#resp-${esc(target)}"><code>${esc(status)}</code></a>` : `<code>${esc(status)}</code> ${esc(r.description ?? '')}`;
  });
  return `<p>Responses: ${items.join('; ')}</p>`;
}

function sharedResponses(doc: OpenApiDocument): string {
  const rows = Object.entries(doc.components.responses ?? {})
    .map(([name, r]) => `<tr id="resp-${esc(name)}"><td><code>${esc(name)}</code></td><td>${esc(r.description ?? '')}</td></tr>`)
    .join('');
  return `<h2>Common responses</h2><table><tr><th>response</th><th>meaning</th></tr>${rows}</table>`;
}

function operation(doc: OpenApiDocument, method: HttpMethod, path: string, op: OpenApiOperation): string {
  return (
    `<details class="op" id="${esc(op.operationId)}"><summary><span class="m ${method}">${method.toUpperCase()}</span> ` +
    `<code>${esc(path)}</code> ${esc(op.summary)}</summary>` +
    `<p class="meta">operationId <code>${esc(op.operationId)}</code>, interaction <code>${esc(op['x-fhir-interaction'])}</code></p>` +
    `${parameterRows(doc, op)}${requestBody(doc, op)}${responses(op)}</details>`
  );
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#222}
h1{margin-bottom:.2rem}code{font:13px ui-monospace,monospace}
details.tag{border-top:1px solid #ddd;padding:.3rem 0}details.tag>summary{font-weight:600;cursor:pointer}
details.op{margin:.2rem 0 .2rem 1rem}details.op>summary{cursor:pointer}
.m{display:inline-block;width:4.2rem;font:600 12px ui-monospace,monospace;border-radius:3px;padding:1px 4px;text-align:center;color:#fff}
.get{background:#2f6fb0}.post{background:#2e8b57}.put{background:#b8860b}.patch{background:#8a5cb8}.delete{background:#b03a2e}
table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
.meta{color:#666;margin:.2rem 0}
`;

export function renderDocsPage(doc: OpenApiDocument, openApiUrl: string): string {
  const byTag = new Map<string, string[]>();
  let count = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      count++;
      const tag = op.tags[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(operation(doc, method, path, op));
    }
  }
  const sections = doc.tags
    .filter((t) => byTag.has(t.name))
    .map((t, i) => {
      const prefix = `${t.name === SYSTEM_TAG ? 'system' : t.name}.`;
      const search = parameterTable(doc, `<p id="search-${esc(prefix.slice(0, -1))}">Search parameters:</p>`, (n) => n.startsWith(prefix));
      const ops = byTag.get(t.name)!;
      return `<details class="tag" id="tag-${esc(t.name)}"${i === 0 ? ' open' : ''}><summary>${esc(t.name)} (${ops.length})</summary>${search}${ops.join('')}</details>`;
    });
  const info = doc.info as { title?: string; version?: string; description?: string };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} — API reference</title><style>${STYLE}</style></head>
<body><h1>${esc(info.title)}</h1>
<p>Version ${esc(info.version)}. ${esc(info.description ?? '')}</p>
<p>Base URL <code>${esc(doc.servers[0]?.url ?? '')}</code>; paths below are relative to it. ${count} operations.
Machine-readable: <a href="${esc(openApiUrl)}">OpenAPI 3.1 document</a>. Authentication: bearer token (declared).</p>
${parameterTable(doc, '<h2>Common parameters</h2>', (n) => !n.includes('.'))}
${sharedResponses(doc)}
<h2>Operations</h2>
${sections.join('\n')}
</body></html>
`;
}
