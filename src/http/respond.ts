import type { Context } from 'koa';
import type { Resource } from '@medplum/fhirtypes';
import { informationOutcome, issuesToOutcome } from '../core/outcome';
import type { FhirResult } from '../interactions/types';
import type { Preferences } from './prefer';

export interface ResponseOptions {
  mediaType: string;
  pretty: boolean;
  prefer: Preferences;
  /** Transforms the returned resource (e.g. _summary/_elements on read). */
  transform?: (r: Resource) => Resource;
}

export function sendJson(ctx: Context, status: number, body: unknown, opts: Pick<ResponseOptions, 'mediaType' | 'pretty'>): void {
  ctx.status = status;
  ctx.type = `${opts.mediaType}; charset=utf-8`;
  ctx.body = JSON.stringify(body, null, opts.pretty ? 2 : undefined);
}

/** A response without a body that keeps its status (Koa would turn a null body into 204). */
function sendEmpty(ctx: Context, status: number): void {
  ctx.body = '';
  ctx.remove('Content-Type');
  ctx.status = status;
}

/** Translates an interaction result into the HTTP response: status, version headers, Prefer. */
export function sendResult(ctx: Context, result: FhirResult, opts: ResponseOptions, isWrite: boolean): void {
  if (result.versionId !== undefined) ctx.set('ETag', `W/"${result.versionId}"`);
  if (result.lastUpdated) ctx.set('Last-Modified', new Date(result.lastUpdated).toUTCString());
  if (result.location) ctx.set(result.status === 201 ? 'Location' : 'Content-Location', result.location);
  if (result.location && result.status === 201) ctx.set('Content-Location', result.location);
  if (result.status === 304 || result.status === 204 || !result.resource) {
    if (result.status === 204 && opts.prefer.return === 'OperationOutcome') {
      sendJson(ctx, 200, informationOutcome('Deleted'), opts);
      return;
    }
    sendEmpty(ctx, result.status);
    return;
  }
  if (isWrite && opts.prefer.return === 'minimal') {
    sendEmpty(ctx, result.status);
    return;
  }
  if (isWrite && opts.prefer.return === 'OperationOutcome') {
    const outcome = result.issues?.length ? issuesToOutcome(result.issues) : informationOutcome(`${result.status === 201 ? 'Created' : 'Updated'} ${result.location ?? ''}`.trim());
    sendJson(ctx, result.status, outcome, opts);
    return;
  }
  const resource = opts.transform ? opts.transform(result.resource) : result.resource;
  sendJson(ctx, result.status, resource, opts);
}
