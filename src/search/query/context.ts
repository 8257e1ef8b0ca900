import { raw, sql, type Sql } from '../../storage/sql';

/** What value parsing may depend on besides the text: pure inputs, no I/O. */
export interface ParseContext {
  /** Public FHIR base URL: absolute references under it are local ones. */
  baseUrl: string;
  /** Clock for `ap` (approximately), whose tolerance grows with the distance from now. */
  now: Date;
}

/**
 * The resource a predicate is about: the outer `resources r` row, or the far end of a chain /
 * the near end of a `_has` inside a subquery.
 */
export interface Subject {
  /** SQL expression of its resource type. */
  type: Sql;
  /** SQL expression of its id. */
  id: Sql;
  /** Alias of its `resources` row when one is in scope (the search's own row). */
  row?: Sql;
}

/** The searched row itself: `resources r`. */
export const SEARCHED_ROW: Subject = { type: sql`r.resource_type`, id: sql`r.id`, row: sql`r` };

/** Hands out distinct table aliases for the nested subqueries of one statement. */
export class AliasCounter {
  private n = 0;
  next(prefix: string): Sql {
    this.n += 1;
    return raw(`${prefix}${this.n}`);
  }
}
