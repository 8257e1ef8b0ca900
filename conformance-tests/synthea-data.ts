import { readdirSync, readFileSync } from 'node:fs';
import type { Client } from 'fhir-kit-client';
import { sharedDataPath } from '../src/testing/shared-data';

/**
 * The Synthea sample (shared data) loaded through a server as transaction Bundles, and plain
 * TypeScript helpers to compute expected search results over the stored resources independently
 * of the server's search implementation.
 */

export type AnyResource = { resourceType: string; id: string } & Record<string, any>;

export function syntheaBundles(): any[] {
  const dir = sharedDataPath('synthea-r4', 'smart-on-fhir-generated-sample-data', 'sample');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  // hospital and practitioner information first: patient bundles may refer to them conditionally
  const first = (f: string) => (/^(hospital|practitioner)Information/.test(f) ? 0 : 1);
  files.sort((a, b) => first(a) - first(b) || a.localeCompare(b));
  return files.map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')));
}

/** Posts every bundle as a transaction; returns the stored resources (from return=representation). */
export async function loadSynthea(client: Client): Promise<AnyResource[]> {
  const stored: AnyResource[] = [];
  for (const bundle of syntheaBundles()) {
    const response: any = await client.transaction({ body: bundle, options: { headers: { Prefer: 'return=representation' } } });
    for (const e of response.entry ?? []) if (e.resource) stored.push(e.resource);
  }
  const unique = new Map(stored.map((r) => [`${r.resourceType}/${r.id}`, r]));
  return [...unique.values()];
}

/** Lower case without accents, as string search compares. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function codings(concept: any): { system?: string; code?: string }[] {
  return Array.isArray(concept?.coding) ? concept.coding : [];
}

export function hasCoding(concept: any, system: string, code: string): boolean {
  return codings(concept).some((c) => c.system === system && c.code === code);
}

/** Every name part of a HumanName list, as the string parameter `name` indexes it. */
export function nameParts(names: any[] | undefined): string[] {
  const out: string[] = [];
  for (const n of names ?? []) {
    for (const key of ['family', 'text']) if (typeof n[key] === 'string') out.push(n[key]);
    for (const key of ['given', 'prefix', 'suffix']) for (const v of n[key] ?? []) out.push(v);
  }
  return out;
}

/** `Type/id` → id of a local reference, or undefined. */
export function refId(reference: any, type: string): string | undefined {
  const m = /^([A-Za-z]+)\/([^/]+)$/.exec(reference?.reference ?? '');
  return m && m[1] === type ? m[2] : undefined;
}

/** The instant range [low, high] (epoch ms, inclusive) of a Period with full-precision instants. */
export function periodRange(period: any): [number, number] {
  const low = period?.start ? Date.parse(period.start) : -Infinity;
  const high = period?.end ? Date.parse(period.end) + 999 : Infinity;
  return [low, high];
}

/** The most frequent value of `key(r)` over `items` (ties broken by value). */
export function mostFrequent<T>(items: T[], key: (t: T) => string | undefined): string {
  const counts = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
}
