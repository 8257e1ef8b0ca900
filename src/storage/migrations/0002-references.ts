/**
 * Literal references between current resources, for referential integrity: one row per
 * (source, target) pair, replaced on every write of the source, removed when it is deleted.
 */
export const up = `
CREATE TABLE resource_references (
  resource_type text NOT NULL,
  id            text NOT NULL,
  target_type   text NOT NULL,
  target_id     text NOT NULL
);
CREATE INDEX resource_references_source_idx ON resource_references (resource_type, id);
CREATE INDEX resource_references_target_idx ON resource_references (target_type, target_id);
`;
