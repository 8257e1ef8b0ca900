import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { processBundle } from '../bundles';
import { errorToOutcome } from '../core/outcome';
import type { InteractionContext } from '../interactions/types';

/** What sending one Bundle gave: the HTTP-like status and the response Bundle or OperationOutcome. */
export interface SendResult {
  status: number;
  body: Bundle | OperationOutcome | undefined;
}

export interface ImportTarget {
  describe: string;
  send(bundle: Bundle): Promise<SendResult>;
  close(): Promise<void>;
}

/** Sends Bundles to a running server: POST [base]. */
export function httpTarget(baseUrl: string, headers: Record<string, string> = {}): ImportTarget {
  const url = baseUrl.replace(/\/+$/, '');
  return {
    describe: url,
    async send(bundle) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json', Prefer: 'return=minimal', ...headers },
        body: JSON.stringify(bundle),
      });
      const text = await res.text();
      let body: SendResult['body'];
      try {
        body = text ? (JSON.parse(text) as SendResult['body']) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body };
    },
    async close() {},
  };
}

/** Processes Bundles in this process, straight into the database, through the same core as HTTP. */
export function directTarget(ctx: InteractionContext, close: () => Promise<void>, baseUrl = 'urn:hearth:import'): ImportTarget {
  return {
    describe: 'database',
    async send(bundle) {
      try {
        const body = await processBundle(ctx, bundle, {
          baseUrl,
          prefer: 'minimal',
          maxEntries: Number.MAX_SAFE_INTEGER,
          onUnexpected: (e) => ctx.logger.error('unhandled error in batch entry', { error: String(e) }),
        });
        return { status: 200, body };
      } catch (err) {
        const r = errorToOutcome(err);
        if (r.unexpected) ctx.logger.error('unhandled error', { error: (err as Error)?.stack ?? String(err) });
        return { status: r.status, body: r.outcome };
      }
    },
    close,
  };
}
