import { readdirSync, readFileSync } from 'node:fs';
import { sharedDataPath } from '../src/testing/shared-data';

/** One resource to round-trip: a whole example file, or a resource inside an example Bundle. */
export interface ExampleItem {
  /** File name in the examples folder. */
  file: string;
  /** For a Bundle entry, `entry[i] Type/id` of the entry's resource; undefined for the file's own resource. */
  entry?: string;
  resource: any;
  /** `Type/id` the resource is stored under. */
  key: string;
}

export function examplesDir(): string {
  return sharedDataPath('r4-examples', 'hl7.fhir.r4.examples-4.0.1', 'examples');
}

/** Every example file's resource, followed by the resources with an id inside it when it is a Bundle. */
export function loadExamples(): { files: string[]; items: ExampleItem[] } {
  const dir = examplesDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const items: ExampleItem[] = [];
  for (const file of files) {
    const resource = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
    items.push({ file, resource, key: `${resource.resourceType}/${resource.id}` });
    if (resource.resourceType !== 'Bundle') continue;
    (resource.entry ?? []).forEach((entry: any, index: number) => {
      const inner = entry.resource;
      if (!inner?.id) return;
      const key = `${inner.resourceType}/${inner.id}`;
      items.push({ file, entry: `entry[${index}] ${key}`, resource: inner, key });
    });
  }
  return { files, items };
}

/** A readable label for an item. */
export function labelOf(item: Pick<ExampleItem, 'file' | 'entry'>): string {
  return item.entry ? `${item.file} › ${item.entry}` : item.file;
}

/** A copy without meta.versionId and meta.lastUpdated (and without meta when nothing else is left). */
export function withoutServerMeta(resource: any): any {
  if (!resource || typeof resource !== 'object' || !resource.meta) return resource;
  const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta;
  const { meta: _m, ...rest } = resource;
  return Object.keys(meta).length > 0 ? { ...rest, meta } : rest;
}

/** The JSON path of the first difference between two JSON values, or undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return `${path}: expected ${JSON.stringify(a)?.slice(0, 200)}, got ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return `${path}: expected ${a.length} items, got ${other.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], other[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (!(k in y)) return `${path}.${k}: missing`;
    if (!(k in x)) return `${path}.${k}: unexpected ${JSON.stringify(y[k])?.slice(0, 200)}`;
    const d = firstDifference(x[k], y[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/** Runs `work` over `inputs` with at most `limit` running at once. */
export async function mapLimit<T>(inputs: T[], limit: number, work: (input: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) await work(inputs[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
}
