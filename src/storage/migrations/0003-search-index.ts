/**
 * Search index tables, one per search parameter type, holding rows extracted from each resource's
 * current version (rewritten on every write, emptied on deletion). `code` is the search
 * parameter's code (e.g. `birthdate`). Every table is indexed by (resource_type, id) for rewrites
 * and by (resource_type, code, value columns) for searching.
 *
 * - idx_string: value is normalized (lower case, accents folded) for the default starts-with and
 *   :contains matches; exact is the original text for :exact.
 * - idx_token: system and value (code); text is the normalized display/text for :text.
 * - idx_reference: target_type/target_id for local references, target_url for absolute or
 *   canonical ones (with the version split off into target_version).
 * - idx_date: the instant range [low, high] that the value covers at its precision, inclusive.
 * - idx_number / idx_quantity: value and the range [low, high] implied by its precision;
 *   quantities keep system and code (unit) too.
 * - idx_uri: the URI as written.
 * - idx_composite: one row per element holding all components, as a JSON array of the
 *   component values in the order of SearchParameter.component.
 */
export const up = `
CREATE TABLE idx_string (
  resource_type text NOT NULL, id text NOT NULL, code text NOT NULL,
  value text NOT NULL, exact text NOT NULL
);
CREATE INDEX idx_string_res ON idx_string (resource_type, id);
CREATE INDEX idx_string_value ON idx_string (resource_type, code, value text_pattern_ops);

CREATE TABLE idx_token (
  resource_type text NOT NULL, id text NOT NULL, code text NOT NULL,
  system text, value text, text text
);
CREATE INDEX idx_token_res ON idx_token (resource_type, id);
CREATE INDEX idx_token_value ON idx_token (resource_type, code, value, system);

CREATE TABLE idx_reference (
  resource_type text NOT NULL, id text NOT NULL, code text NOT NULL,
  target_type text, target_id text, target_url text, target_version text
);
CREATE INDEX idx_reference_res ON idx_reference (resource_type, id);
CREATE INDEX idx_reference_target ON idx_reference (resource_type, code, target_id, target_type);
CREATE INDEX idx_reference_reverse ON idx_reference (target_type, target_id, code);
CREATE INDEX idx_reference_url ON idx_reference (resource_type, code, target_url);

CREATE TABLE idx_date (
  resource_type text NOT NULL, id text NOT NULL, code text NOT NULL,
  low timestamptz, high timestamptz
);
CREATE INDEX idx_date_res ON idx_date (resource_type, id);
CREATE INDEX idx_date_low ON idx_date (resource_type, code, low);
CREATE INDEX idx_date_high ON idx_date (resource_type, code, high);

CREATE TABLE idx_number (
  resource_type text NOT NULL, id text NOT NULL, code text NOT NULL,
  value numeric, low numeric, high numeric
);
CREATE INDEX idx_number_res ON idx_number (resource_type, id);
CREATE INDEX idx_number_value ON idx_number (resource_type, code, value);

CREATE TABLE idx_quantity (
  resource_type text NOT NULL, id text NOT NULL, code text NOT NULL,
  system text, unit text, value numeric, low numeric, high numeric
);
CREATE INDEX idx_quantity_res ON idx_quantity (resource_type, id);
CREATE INDEX idx_quantity_value ON idx_quantity (resource_type, code, value);

CREATE TABLE idx_uri (
  resource_type text NOT NULL, id text NOT NULL, code text NOT NULL,
  value text NOT NULL
);
CREATE INDEX idx_uri_res ON idx_uri (resource_type, id);
CREATE INDEX idx_uri_value ON idx_uri (resource_type, code, value text_pattern_ops);

CREATE TABLE idx_composite (
  resource_type text NOT NULL, id text NOT NULL, code text NOT NULL,
  components jsonb NOT NULL
);
CREATE INDEX idx_composite_res ON idx_composite (resource_type, id);
CREATE INDEX idx_composite_code ON idx_composite (resource_type, code);

CREATE INDEX resources_type_updated_idx ON resources (resource_type, last_updated, id);
`;
