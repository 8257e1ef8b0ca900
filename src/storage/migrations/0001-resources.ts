/**
 * Current and historical resource versions.
 *
 * resources: one row per (type, id) holding the current version; a deletion is a row with
 * deleted = true and content null.
 * resource_history: every version ever written, content null for a deletion. seq gives a total
 * order of writes, used for history paging newest-first (keyset on seq).
 */
export const up = `
CREATE TABLE resources (
  resource_type text        NOT NULL,
  id            text        NOT NULL,
  version_id    integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  deleted       boolean     NOT NULL DEFAULT false,
  content       jsonb,
  PRIMARY KEY (resource_type, id)
);

CREATE TABLE resource_history (
  seq           bigserial   NOT NULL,
  resource_type text        NOT NULL,
  id            text        NOT NULL,
  version_id    integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  deleted       boolean     NOT NULL DEFAULT false,
  content       jsonb,
  PRIMARY KEY (resource_type, id, version_id)
);

-- System-level history, newest first.
CREATE UNIQUE INDEX resource_history_seq_idx ON resource_history (seq);
-- Type-level history, newest first.
CREATE INDEX resource_history_type_seq_idx ON resource_history (resource_type, seq);
-- _since / _at over the whole system and within one type.
CREATE INDEX resource_history_last_updated_idx ON resource_history (last_updated);
CREATE INDEX resource_history_type_last_updated_idx ON resource_history (resource_type, last_updated);
`;
