import type { Bundle } from '@medplum/fhirtypes';
import { errors } from '../core/errors';
import type { InteractionContext } from '../interactions/types';
import { processBatch } from './batch';
import type { ReturnPreference } from './entry';
import { processTransaction } from './transaction';

export interface BundleOptions {
  baseUrl: string;
  prefer: ReturnPreference;
  maxEntries: number;
  /** Called with errors that are bugs (500) inside batch entries, to be logged. */
  onUnexpected: (e: unknown) => void;
}

/** POST [base] with a batch or transaction Bundle (http.html#transaction). */
export async function processBundle(ctx: InteractionContext, body: unknown, opts: BundleOptions): Promise<Bundle> {
  const bundle = body as Bundle | undefined;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
    throw errors.badRequest('POST to the base URL takes a Bundle of type batch or transaction', ['Bundle']);
  }
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw errors.badRequest(`Bundle.type must be batch or transaction (got '${bundle.type ?? ''}')`, ['Bundle.type']);
  }
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw errors.badRequest('Bundle.entry must be an array', ['Bundle.entry']);
  const count = bundle.entry?.length ?? 0;
  if (count > opts.maxEntries) {
    throw errors.tooLarge(`The Bundle has ${count} entries; at most ${opts.maxEntries} are accepted`);
  }
  return bundle.type === 'transaction'
    ? processTransaction(ctx, bundle, opts.baseUrl, opts.prefer)
    : processBatch(ctx, bundle, opts.baseUrl, opts.prefer, opts.onUnexpected);
}
