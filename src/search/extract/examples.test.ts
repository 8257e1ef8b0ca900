import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Bundle } from '@medplum/fhirtypes';
import { INDEX_TABLES } from '../../storage/index-tables';
import { sharedDataPath } from '../../testing/shared-data';
import { splitUnion } from '../definition';
import { searchIndexRows } from '../index-rows';
import { searchParameters } from '../registry';
import { compilePath, compileRoutes } from './compile';
import { evaluate, type Extractor } from './extractor';
import { fallbackExtractor } from './fallback';

/**
 * Extraction over the official R4 examples: it never throws, its rows fit the index tables, and
 * every compiled expression selects the same values as a full `fhirpath` evaluation.
 * The reference evaluation takes each union branch separately (fhirpath's union drops values it
 * finds equal, e.g. 1e-245 and 1e-22 as decimals) and applies the rewrites of fallback.ts
 * (`as` → `ofType`, `resolve() is X`).
 */

type Resource = { resourceType: string };

function examples(): Resource[] {
  const dir = sharedDataPath('r4-examples', 'hl7.fhir.r4.examples-4.0.1', 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Resource);
}

const reference = new Map<string, Extractor[]>();

/** The values `fhirpath` selects for `expression` (optionally on an element at `basePath`), as JSON. */
function fhirpathValues(expression: string, resource: object, focus?: unknown, basePath?: string): Set<string> {
  const key = `${basePath ?? ''}:${expression}`;
  let branches = reference.get(key);
  if (!branches) reference.set(key, (branches = splitUnion(expression).map((e) => fallbackExtractor(e, basePath))));
  return new Set(branches.flatMap((b) => evaluate(b, resource, focus)).map((v) => JSON.stringify(v.value)));
}

function compiledValues(e: Extractor, resource: object, focus?: unknown): Set<string> {
  return new Set(evaluate(e, resource, focus).map((v) => JSON.stringify(v.value)));
}

describe('extraction over the R4 examples', function () {
  this.timeout(300_000);
  const resources = examples();

  it('never throws and gives rows that fit the index tables', () => {
    expect(resources.length).to.be.greaterThan(700);
    const columns = new Map(INDEX_TABLES.map((t) => [t.name, t.columns.length]));
    let rows = 0;
    for (const r of resources) {
      const index = searchIndexRows(r);
      for (const [table, list] of Object.entries(index)) {
        expect(columns.has(table), table).to.equal(true);
        for (const row of list ?? []) {
          rows++;
          expect(row, `${r.resourceType} ${table}`).to.have.length(columns.get(table)!);
          expect(row[0]).to.be.a('string').and.not.equal('');
          for (const v of row) expect(v === null || typeof v === 'string', `${table} ${JSON.stringify(row)}`).to.equal(true);
          if (table === 'idx_date') expect(row[1] === '-infinity' || row[2] === 'infinity' || (row[1] as string) <= (row[2] as string)).to.equal(true);
        }
      }
    }
    expect(rows).to.be.greaterThan(8_000);
  });

  it('selects what a full fhirpath evaluation selects, for every parameter', () => {
    let compared = 0;
    let nonEmpty = 0;
    const differences: string[] = [];
    for (const r of resources) {
      for (const def of searchParameters(r.resourceType).values()) {
        if (!def.expression || !def.extract.compiled) continue;
        const ours = compiledValues(def.extract, r);
        const theirs = fhirpathValues(def.expression, r);
        compared++;
        if (ours.size > 0) nonEmpty++;
        if (ours.size !== theirs.size || [...ours].some((v) => !theirs.has(v))) {
          differences.push(`${r.resourceType}/${(r as { id?: string }).id} ${def.code}: ${def.expression}`);
        }
      }
    }
    expect(differences).to.deep.equal([]);
    expect(compared).to.be.greaterThan(15_000);
    expect(nonEmpty).to.be.greaterThan(7_000);
  });

  it('selects what fhirpath selects for composite components, on each element', () => {
    let compared = 0;
    const differences: string[] = [];
    for (const r of resources) {
      for (const def of searchParameters(r.resourceType).values()) {
        if (!def.components || !def.expression) continue;
        for (const route of compileRoutes(def.expression, r.resourceType) ?? []) {
          for (const { value: owner } of evaluate(route.extractor, r)) {
            for (const c of def.components) {
              const compiled = compilePath(c.expression, r.resourceType, route.type);
              expect(compiled, `${def.code} ${c.expression}`).to.not.equal(undefined);
              const ours = compiledValues(compiled!, r, owner);
              const theirs = fhirpathValues(c.expression, r, owner, route.type!.path);
              compared++;
              if (ours.size !== theirs.size || [...ours].some((v) => !theirs.has(v))) differences.push(`${r.resourceType} ${def.code} ${c.expression}`);
            }
          }
        }
      }
    }
    expect(differences).to.deep.equal([]);
    expect(compared).to.be.greaterThan(500);
  });

  it('never throws on the Synthea sample either', () => {
    const dir = sharedDataPath('synthea-r4', 'smart-on-fhir-generated-sample-data', 'sample');
    let count = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      for (const e of (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Bundle).entry ?? []) {
        searchIndexRows(e.resource as Resource);
        count++;
      }
    }
    expect(count).to.be.greaterThan(2000);
  });
});
