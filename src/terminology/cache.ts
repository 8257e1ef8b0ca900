import NodeCache from 'node-cache';

/**
 * The process-wide cache of the terminology service: expansions and stored CodeSystems, keyed by
 * a generation that every CodeSystem/ValueSet write of this process bumps (terminologyChanged,
 * which also empties the cache) and by the caller's database stamp (see service.ts), so entries
 * never outlive the resources they were computed from. Bounded by key count and by the number of
 * concepts held in total; when either bound would be passed, the cache is emptied.
 */

const TTL_SECONDS = 600;
const MAX_KEYS = 500;
/** Most concepts held over all entries (an expansion counts its concepts, a CodeSystem its codes). */
export const MAX_CACHED_WEIGHT = 1_000_000;

let generation = 0;

class WeightedCache {
  private readonly store = new NodeCache({ stdTTL: TTL_SECONDS, checkperiod: 120, useClones: false });
  private readonly weights = new Map<string, number>();
  private total = 0;

  constructor() {
    this.store.on('del', (key: string) => {
      this.total -= this.weights.get(key) ?? 0;
      this.weights.delete(key);
    });
    this.store.on('flush', () => {
      this.weights.clear();
      this.total = 0;
    });
  }

  get<T>(key: string): { value: T } | undefined {
    return this.store.get<{ value: T }>(key);
  }

  set<T>(key: string, value: T, weight: number): void {
    if (weight > MAX_CACHED_WEIGHT) return;
    this.store.del(key);
    if (this.weights.size >= MAX_KEYS || this.total + weight > MAX_CACHED_WEIGHT) this.store.flushAll();
    this.store.set(key, { value });
    this.weights.set(key, weight);
    this.total += weight;
  }

  flush(): void {
    this.store.flushAll();
  }
}

const cache = new WeightedCache();

/** Called after a CodeSystem or ValueSet is written or deleted: cached results no longer hold. */
export function terminologyChanged(): void {
  generation += 1;
  cache.flush();
}

/**
 * The cached value of `key` under `stamp`, or `compute()` stored with its weight. Failures are not
 * cached.
 */
export async function cached<T>(stamp: string, key: string, compute: () => Promise<T>, weight: (value: T) => number): Promise<T> {
  const full = `${generation}|${stamp}|${key}`;
  const hit = cache.get<T>(full);
  if (hit) return hit.value;
  const startedAt = generation;
  const value = await compute();
  // A write during the computation may have made the value stale: it is returned, not kept.
  if (generation === startedAt) cache.set(full, value, weight(value));
  return value;
}
