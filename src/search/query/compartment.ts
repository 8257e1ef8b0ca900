import { patientCompartment } from '../../fhir/definitions';
import { sql, type Sql } from '../../storage/sql';
import { isLocal } from './local';
import { searchParameter } from './params';

/**
 * Compartments (compartmentdefinition.html): a resource is in Patient/123's compartment when one
 * of the reference parameters the CompartmentDefinition names for its type refers to Patient/123;
 * the Patient itself belongs to its own compartment. Only the Patient compartment is defined here.
 */

let patientMembers: Map<string, string[]> | undefined;

/** Resource types in the compartment of `compartmentType`, with the parameters that place them there; undefined for an unsupported compartment. */
export function compartmentMembers(compartmentType: string): Map<string, string[]> | undefined {
  if (compartmentType !== 'Patient') return undefined;
  if (!patientMembers) {
    patientMembers = new Map();
    for (const r of patientCompartment().resource ?? []) {
      const params = (r.param ?? []).filter((p) => searchParameter(r.code as string, p)?.type === 'reference');
      if (params.length > 0 || r.code === 'Patient') patientMembers.set(r.code as string, params);
    }
  }
  return patientMembers;
}

/** The predicate over `r` for membership of the compartment `type/id` on the server at `base` (types limited to `types`). */
export function compartmentScope(compartmentType: string, id: string, types: readonly string[], base: string): Sql {
  const members = compartmentMembers(compartmentType) ?? new Map<string, string[]>();
  const pairTypes: string[] = [];
  const pairCodes: string[] = [];
  for (const t of types) {
    for (const code of members.get(t) ?? []) {
      pairTypes.push(t);
      pairCodes.push(code);
    }
  }
  const self = types.includes(compartmentType) ? sql` OR (r.resource_type = ${compartmentType} AND r.id = ${id})` : sql``;
  return sql`(EXISTS (SELECT 1 FROM idx_reference c WHERE c.resource_type = r.resource_type AND c.id = r.id
      AND (c.resource_type, c.code) IN (SELECT * FROM unnest(${pairTypes}::text[], ${pairCodes}::text[]))
      AND c.target_type = ${compartmentType} AND c.target_id = ${id} AND ${isLocal(sql`c.target_url`, base)})${self})`;
}
