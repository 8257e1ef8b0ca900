import type { Bundle, Meta, Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { create } from '../interactions/create';
import { search } from '../interactions/search';
import type { FhirRequest, InteractionContext } from '../interactions/types';
import { update } from '../interactions/update';
import type { DatabaseContext } from '../storage/test-databases';
import { BASE, contextOf } from './fixtures';

/** Search test helpers: writes go through the interactions (so the index is filled), searches through `search`. */

export interface SearchHarness {
  ctx(): InteractionContext;
  /** Creates a resource; returns it as stored. */
  add<T extends Resource>(resource: T): Promise<T & { id: string; meta: Meta }>;
  /** Creates (or updates) a resource with the given id. */
  put<T extends Resource>(resource: T & { id: string }): Promise<T & { id: string }>;
  /** The searchset Bundle of a search given as a query string. */
  bundle(type: string | undefined, query: string, extra?: Partial<FhirRequest>): Promise<Bundle>;
  /** The ids of the matches, in order (one page). */
  ids(type: string | undefined, query: string, extra?: Partial<FhirRequest>): Promise<string[]>;
}

export function pairs(query: string): [string, string][] {
  return [...new URLSearchParams(query).entries()];
}

export function searchHarness(db: DatabaseContext, extra: Partial<InteractionContext> = {}): SearchHarness {
  const ctx = (): InteractionContext => contextOf(db, { limits: { defaultPageSize: 50, maxPageSize: 500 }, ...extra });
  const h: SearchHarness = {
    ctx,
    async add(resource) {
      const result = await create(ctx(), { resourceType: resource.resourceType, query: [], baseUrl: BASE, body: resource });
      expect(result.status, JSON.stringify(result.resource)).to.equal(201);
      return result.resource as never;
    },
    async put(resource) {
      const result = await update(ctx(), { resourceType: resource.resourceType, id: resource.id, query: [], baseUrl: BASE, body: resource });
      return result.resource as never;
    },
    async bundle(type, query, more = {}) {
      const result = await search(ctx(), { resourceType: type, query: pairs(query), baseUrl: BASE, ...more });
      expect(result.status).to.equal(200);
      return result.resource as Bundle;
    },
    async ids(type, query, more) {
      const b = await h.bundle(type, query, more);
      return (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);
    },
  };
  return h;
}

/** A unique marker for one test's resources (used in a tag, so searches can be confined to them). */
let counter = 0;
export function marker(prefix = 'm'): string {
  counter += 1;
  return `${prefix}${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export const TAG_SYSTEM = 'http://example.org/test-run';

/** meta with a tag of the marker, so that `_tag=TAG_SYSTEM|marker` confines a search to one test's data. */
export function tagged(m: string): { meta: { tag: { system: string; code: string }[] } } {
  return { meta: { tag: [{ system: TAG_SYSTEM, code: m }] } };
}

/** The ids sorted, for comparisons that do not depend on order. */
export function sorted(ids: string[]): string[] {
  return [...ids].sort();
}
