/**
 * Background reindex jobs: each re-extracts the search index rows of every current resource of
 * some types (after a SearchParameter was created, changed or deleted, or on `$reindex`).
 *
 * - types: the resource types to reindex; urls / codes: the SearchParameters (and their codes)
 *   the job is for, empty when it is for every parameter of those types.
 * - incomplete: while the job is not done, searches on its codes warn that results may be
 *   incomplete (set for jobs queued by SearchParameter changes).
 * - status: queued | running | done | failed. A running job belongs to `owner` until
 *   `lease_until`; an expired lease lets another server take it over.
 * - phase: 'scan' walks every resource in (resource_type, id) order from the cursor
 *   (cursor_type, cursor_id); 'catch-up' then revisits resources written around the job's creation.
 * - processed / total: progress (total is counted when the scan starts).
 */
export const up = `
CREATE TABLE reindex_jobs (
  id           text        PRIMARY KEY,
  types        text[]      NOT NULL,
  urls         text[]      NOT NULL DEFAULT '{}',
  codes        text[]      NOT NULL DEFAULT '{}',
  incomplete   boolean     NOT NULL DEFAULT false,
  status       text        NOT NULL DEFAULT 'queued',
  phase        text        NOT NULL DEFAULT 'scan',
  cursor_type  text,
  cursor_id    text,
  processed    bigint      NOT NULL DEFAULT 0,
  total        bigint,
  attempts     integer     NOT NULL DEFAULT 0,
  owner        text,
  lease_until  timestamptz,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  CHECK (status IN ('queued', 'running', 'done', 'failed')),
  CHECK (phase IN ('scan', 'catch-up'))
);
CREATE INDEX reindex_jobs_active_idx ON reindex_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX reindex_jobs_incomplete_idx ON reindex_jobs (created_at) WHERE incomplete AND status <> 'done';
`;
