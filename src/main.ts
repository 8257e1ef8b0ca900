import cluster from 'node:cluster';
import { runPrimary } from './cluster';
import { ConfigError, loadConfig } from './config/config';
import { serverHelp } from './config/variables';
import { createLogger } from './core/logger';
import { startServer } from './http/server';

/**
 * Reads config, starts the server, and shuts down gracefully on SIGTERM/SIGINT. With
 * HEARTH_WORKERS > 1 the first process becomes the cluster primary and each worker runs this too.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(serverHelp());
    return;
  }
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (config.workers > 1 && cluster.isPrimary) {
    runPrimary(config, createLogger(config.logLevel, { service: 'hearth', role: 'primary' }));
    return;
  }
  const logger = createLogger(config.logLevel, { service: 'hearth', ...(cluster.isWorker ? { worker: cluster.worker?.id } : {}) });
  const server = await startServer(config, logger, { precompile: true });
  logger.info('listening', { url: server.url, storage: config.databaseUrl ? 'postgres' : 'embedded', dataDir: config.databaseUrl ? undefined : config.dataDir });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, 15_000);
    timer.unref();
    await server.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`Hearth failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
