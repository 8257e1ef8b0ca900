import type { SearchParameter } from '@medplum/fhirtypes';
import type { Logger } from '../core/logger';
import { isSearchable, sameIndexing } from '../interactions/search-parameters';
import { customSearchParameters, registerSearchParameter, registryGeneration, unregisterSearchParameter } from '../search/registry';
import type { ScanPosition } from '../storage/reindex-sql';
import type { Repository } from '../storage/repository';
import type { ReindexState } from './state';

const PAGE = 500;

/**
 * Keeps this server's search parameter registry and reindex state in step with the database,
 * where other servers (HEARTH_WORKERS, replicas) write too. refresh() first compares a cheap
 * fingerprint of the SearchParameter history (its newest version and number of versions); only
 * when it changed are the current SearchParameters loaded and the registry reconciled: custom
 * parameters no longer stored are removed, new or changed ones registered. The incomplete reindex
 * jobs are reloaded every time.
 */
export class SearchParameterSync {
  private fingerprint: string | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly repo: Repository,
    private readonly state: ReindexState,
    private readonly logger: Logger,
  ) {}

  /** Brings the registry and state up to date (concurrent calls share one run). */
  refresh(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const generation = registryGeneration();
    const page = await this.repo.history({ resourceType: 'SearchParameter', count: 1 });
    const newest = page.entries[0];
    const fingerprint = `${page.total ?? 0}:${newest ? `${newest.id}/${newest.versionId}` : ''}`;
    if (fingerprint !== this.fingerprint) {
      const stored = await this.loadAll();
      // A write of this server registered a change after the read began: the read may predate
      // its commit, so it is not applied; the next run reads again.
      if (registryGeneration() === generation) {
        this.reconcile(stored);
        this.fingerprint = fingerprint;
      }
    }
    const since = this.state.mark();
    this.state.replace(await this.repo.jobs.incomplete(), since);
  }

  private async loadAll(): Promise<SearchParameter[]> {
    const all: SearchParameter[] = [];
    let after: ScanPosition | undefined;
    for (;;) {
      const rows = await this.repo.scan({ types: ['SearchParameter'], after, limit: PAGE });
      for (const row of rows) all.push(row.content as SearchParameter);
      if (rows.length < PAGE) return all;
      after = { type: 'SearchParameter', id: rows[rows.length - 1]!.id };
    }
  }

  private reconcile(stored: SearchParameter[]): void {
    const wanted = new Map<string, SearchParameter>();
    for (const sp of stored) if (sp.url && isSearchable(sp)) wanted.set(sp.url, sp);
    const registered = new Map(customSearchParameters().map((sp) => [sp.url!, sp]));
    for (const url of registered.keys()) if (!wanted.has(url)) unregisterSearchParameter(url);
    // Composites last: their components may be other custom parameters.
    const ordered = [...wanted.values()].sort((a, b) => Number(a.type === 'composite') - Number(b.type === 'composite'));
    for (const sp of ordered) {
      const current = registered.get(sp.url!);
      if (current && sameIndexing(current, sp)) continue;
      try {
        registerSearchParameter(sp);
      } catch (e) {
        this.logger.warn('stored SearchParameter not registered', { url: sp.url, error: (e as Error).message });
      }
    }
  }
}
