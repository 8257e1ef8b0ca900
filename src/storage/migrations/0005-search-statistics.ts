/**
 * Search plans over skewed data. Token values are very unevenly spread (a few LOINC codes stand
 * for a large share of all Observations), and the index columns are correlated (a code implies its
 * system and parameter), so the planner's independent per-column estimates are off by orders of
 * magnitude. Multi-column MCV statistics let it see that a frequent code is frequent and page
 * through matches in id order (merge semi join, stopping after the page) instead of collecting and
 * sorting all of them. The token index gains `id` as its last column, so that scan is index-only
 * and already ordered.
 */
export const up = `
DROP INDEX IF EXISTS idx_token_value;
CREATE INDEX idx_token_value ON idx_token (resource_type, code, value, system, id);
ALTER TABLE idx_token ALTER COLUMN value SET STATISTICS 1000;
CREATE STATISTICS IF NOT EXISTS idx_token_stats (mcv, dependencies) ON resource_type, code, value, system FROM idx_token;
CREATE STATISTICS IF NOT EXISTS idx_reference_stats (mcv, dependencies) ON resource_type, code, target_type FROM idx_reference;
CREATE STATISTICS IF NOT EXISTS idx_string_stats (mcv, dependencies) ON resource_type, code FROM idx_string;
CREATE STATISTICS IF NOT EXISTS idx_date_stats (mcv, dependencies) ON resource_type, code FROM idx_date;
`;
