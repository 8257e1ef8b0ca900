import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Bundle, Resource } from '@medplum/fhirtypes';

/** One unit of import work: a Bundle to send, with where it came from. */
export interface ImportUnit {
  source: string;
  bundle: Bundle;
  /** Resources in it, for progress. */
  resources: number;
  /** Lines of an NDJSON file that are not JSON: each is a failed resource. */
  unreadable?: { source: string; reason: string }[];
}

/** Lists the .json and .ndjson files named, descending into folders (sorted, so runs are repeatable). */
export async function listFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) {
      const names = (await readdir(p)).sort();
      out.push(...(await listFiles(names.map((n) => join(p, n)))));
    } else if (['.json', '.ndjson'].includes(extname(p).toLowerCase())) {
      out.push(p);
    }
  }
  return out;
}

/** NDJSON lines grouped into Bundles of `chunk` resources. */
async function* ndjsonUnits(file: string, chunk: number, toBundle: (r: Resource[]) => Bundle): AsyncGenerator<ImportUnit> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let batch: Resource[] = [];
  let unreadable: { source: string; reason: string }[] = [];
  let first = 1;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      batch.push(JSON.parse(line) as Resource);
    } catch (err) {
      unreadable.push({ source: `${file}:${lineNo}`, reason: `not valid JSON: ${(err as Error).message}` });
    }
    if (batch.length >= chunk) {
      yield { source: `${file}:${first}-${lineNo}`, bundle: toBundle(batch), resources: batch.length, unreadable };
      batch = [];
      unreadable = [];
      first = lineNo + 1;
    }
  }
  if (batch.length > 0 || unreadable.length > 0) yield { source: `${file}:${first}-${lineNo}`, bundle: toBundle(batch), resources: batch.length, unreadable };
}

export interface SourceOptions {
  ndjsonChunk: number;
  /** Turns a Bundle or a list of resources into the Bundle that is sent. */
  prepareBundle: (b: Bundle) => Bundle;
  prepareResources: (r: Resource[]) => Bundle;
}

/** Reads each file as import units: a Bundle file is one unit, a single resource file one, NDJSON in chunks. */
export async function* readUnits(files: string[], opts: SourceOptions): AsyncGenerator<ImportUnit> {
  for (const file of files) {
    if (extname(file).toLowerCase() === '.ndjson') {
      yield* ndjsonUnits(file, opts.ndjsonChunk, opts.prepareResources);
      continue;
    }
    const json = JSON.parse(await readFile(file, 'utf8')) as Resource;
    if (json.resourceType === 'Bundle' && ['transaction', 'batch', 'collection'].includes((json as Bundle).type ?? '')) {
      const bundle = opts.prepareBundle(json as Bundle);
      yield { source: file, bundle, resources: bundle.entry?.length ?? 0 };
    } else {
      yield { source: file, bundle: opts.prepareResources([json]), resources: 1 };
    }
  }
}
