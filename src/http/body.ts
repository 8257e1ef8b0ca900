import type { IncomingMessage } from 'node:http';
import { errors } from '../core/errors';

/** The raw body, up to `limit` bytes: 413 as soon as it is known to be larger. */
async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw errors.tooLarge(`The request body exceeds the limit of ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw errors.tooLarge(`The request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a request body up to `limit` bytes (413 beyond) and parses it as JSON (400 when malformed). */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readLimited(req, limit);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw errors.badRequest(`The request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` body (POST [type]/_search) into name/value pairs,
 * up to `limit` bytes (413 beyond); any other Content-Type is 415.
 */
export async function readFormBody(req: IncomingMessage, limit: number): Promise<[string, string][]> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  if (type !== 'application/x-www-form-urlencoded' && !(type === '' && (req.headers['content-length'] === undefined || declared === 0))) {
    req.resume();
    throw errors.unsupportedMediaType(`A search by POST needs a body of type application/x-www-form-urlencoded (got '${type}')`);
  }
  const body = await readLimited(req, limit);
  return [...new URLSearchParams(body.toString('utf8')).entries()];
}
