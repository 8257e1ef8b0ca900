import { up as resources } from './0001-resources';
import { up as references } from './0002-references';
import { up as searchIndex } from './0003-search-index';
import { up as reindexJobs } from './0004-reindex-jobs';
import { up as searchStatistics } from './0005-search-statistics';

/** One schema change. Versions are applied in ascending order, each in its own transaction. */
export interface Migration {
  version: number;
  name: string;
  /** Trusted SQL script (one or more statements) that must run on PostgreSQL 15+ and PGlite. */
  up: string;
}

/** Every migration, in order. Append new ones; never edit or renumber an applied one. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'resources', up: resources },
  { version: 2, name: 'references', up: references },
  { version: 3, name: 'search-index', up: searchIndex },
  { version: 4, name: 'reindex-jobs', up: reindexJobs },
  { version: 5, name: 'search-statistics', up: searchStatistics },
];
