import { raw, sql, type Sql } from '../../storage/sql';
import { escapeLike } from './normalize';

/**
 * Whether an idx_reference row (given its target_url) refers to a resource of this server: a
 * relative reference (no URL) or an absolute one under the server's base. The extractor also
 * records type and id for absolute URLs of other servers (`http://other.org/fhir/Patient/1`);
 * those must not match local searches, chains or includes. With no base known ('') every row
 * counts as local.
 */
export function isLocal(url: Sql, base: string): Sql {
  if (base === '') return raw('TRUE');
  return sql`(${url} IS NULL OR ${url} LIKE ${`${escapeLike(base)}/%`})`;
}
