import type { Middleware } from 'koa';
import type { Logger } from '../core/logger';
import { openScope, runInScope } from '../storage/consistency';

/** Request and response header carrying the opaque read-your-writes token (src/storage/consistency.ts). */
export const CONSISTENCY_HEADER = 'X-Hearth-Consistency';

/**
 * Opens a consistency scope for each request from its X-Hearth-Consistency header, and answers a
 * request that committed writes with the token covering them.
 */
export function consistencyMiddleware(token: () => Promise<string>, logger: Logger): Middleware {
  return async (ctx, next) => {
    const scope = openScope(ctx.get(CONSISTENCY_HEADER) || undefined);
    try {
      await runInScope(scope, next);
    } finally {
      if (scope.wrote) {
        try {
          ctx.set(CONSISTENCY_HEADER, await token());
        } catch (err) {
          logger.warn('no consistency token for a write response', { error: (err as Error).message });
        }
      }
    }
  };
}
