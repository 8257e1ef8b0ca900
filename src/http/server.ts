import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config';
import type { Logger } from '../core/logger';
import { ReindexRuntime } from '../reindex/runtime';
import { openStorage } from '../storage/open';
import { createBaseValidator } from '../validation';
import { precompileSearchParameters } from '../search/registry';
import { buildApp } from './app';
import { createMetrics } from './metrics';

export interface RunningServer {
  /** Base URL of the FHIR endpoint, e.g. http://127.0.0.1:8080/fhir */
  url: string;
  close(): Promise<void>;
}

const VERSION = '0.1.0';

/**
 * Opens storage (running migrations), loads the stored SearchParameters and starts the reindex
 * worker, builds the app and listens; close() drains connections, stops the worker and closes storage.
 */
export interface StartOptions {
  /**
   * Compile every type's validator and every search parameter's extractor before listening,
   * instead of on first use (about a second at start; the first writes are then as fast as the rest).
   */
  precompile?: boolean;
}

export async function startServer(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const storage = await openStorage({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    poolSize: config.dbPoolSize,
    readDatabaseUrl: config.readDatabaseUrl,
    readMaxLagMs: config.readMaxLagMs,
  });
  const baseValidator = createBaseValidator();
  if (options.precompile) {
    baseValidator.precompile();
    precompileSearchParameters();
  }
  const metrics = createMetrics({ poolStats: () => storage.driver.stats?.() });
  const validator = { validate: (r: unknown, o?: { expectedType?: string }) => metrics.timeValidation(() => baseValidator.validate(r, o)) };
  // Stored SearchParameters are registered before the first request; reindex jobs run in the background.
  const reindex = new ReindexRuntime({ repo: storage.primaryRepository, logger, intervalMs: config.syncIntervalMs });
  try {
    await reindex.start();
  } catch (err) {
    await reindex.stop();
    await storage.close();
    throw err;
  }
  const software = { name: 'Hearth', version: VERSION, date: new Date().toISOString() };
  const app = buildApp({
    logger,
    metrics,
    ready: () => storage.ready(),
    consistencyToken: storage.consistencyToken,
    maxBodyBytes: config.maxBodyBytes,
    maxBundleEntries: config.maxBundleEntries,
    baseUrl: config.baseUrl,
    software,
    interactions: {
      software,
      repo: storage.repository,
      validator,
      logger,
      limits: { defaultPageSize: config.defaultPageSize, maxPageSize: config.maxPageSize },
      searchHandling: config.searchHandling,
      integrity: { checkReferences: config.checkReferences, refuseReferencedDeletes: config.refuseReferencedDeletes },
      reindex,
    },
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return {
    url: `http://${host}:${port}/fhir`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await reindex.stop();
      await storage.close();
    },
  };
}
