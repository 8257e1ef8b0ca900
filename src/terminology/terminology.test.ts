import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { expect } from 'chai';
import type { Repository } from '../storage/repository';
import { cached, MAX_CACHED_WEIGHT, terminologyChanged } from './cache';
import { CodeSystemIndex } from './code-system';
import type { ConceptSet } from './concepts';
import { expandCanonical, type TerminologySource } from './expand';
import { Terminology, TerminologyError } from '.';

/** Terminology service over the R4 definitions (a repository that holds nothing) and synthetic CodeSystems. */

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const empty = { find: async () => [], count: async () => 0 } as unknown as Repository;
const codes = (set: ConceptSet): string[] => [...set].map((c) => c.code).sort();

async function failure(p: Promise<unknown>): Promise<TerminologyError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(TerminologyError);
    return e as TerminologyError;
  }
  return expect.fail('the promise resolved');
}

/** A small hierarchy: nesting, a `parent` property and a `child` property (polyhierarchy). */
const SHAPES: CodeSystem = {
  resourceType: 'CodeSystem',
  url: 'http://example.org/shapes',
  status: 'active',
  content: 'complete',
  property: [
    { code: 'sides', type: 'integer' },
    { code: 'parent', type: 'code' },
    { code: 'child', type: 'code' },
  ],
  concept: [
    {
      code: 'shape',
      concept: [
        { code: 'polygon', concept: [{ code: 'triangle', property: [{ code: 'sides', valueInteger: 3 }] }, { code: 'quad', property: [{ code: 'sides', valueInteger: 4 }] }] },
        { code: 'round', property: [{ code: 'child', valueCode: 'circle' }] },
      ],
    },
    { code: 'square', display: 'Square', property: [{ code: 'parent', valueCode: 'quad' }, { code: 'sides', valueInteger: 4 }] },
    { code: 'circle', property: [{ code: 'parent', valueCode: 'shape' }] },
  ],
};

function source(valueSets: ValueSet[], systems: CodeSystem[] = [SHAPES]): TerminologySource {
  return {
    valueSet: async (url) => valueSets.find((v) => v.url === url),
    codeSystem: async (url) => {
      const cs = systems.find((s) => s.url === url);
      return cs ? new CodeSystemIndex(cs) : undefined;
    },
  };
}

const vs = (url: string, compose: ValueSet['compose']): ValueSet => ({ resourceType: 'ValueSet', url, status: 'active', compose });

describe('terminology: CodeSystemIndex', () => {
  const cs = new CodeSystemIndex(SHAPES);

  it('builds the hierarchy from nesting and the parent / child properties', () => {
    expect([...cs.descendants('shape')].sort()).to.deep.equal(['circle', 'polygon', 'quad', 'round', 'square', 'triangle']);
    expect([...cs.descendants('polygon')].sort()).to.deep.equal(['quad', 'square', 'triangle']);
    expect([...cs.ancestors('square')].sort()).to.deep.equal(['polygon', 'quad', 'shape']);
    expect([...cs.ancestors('circle')].sort()).to.deep.equal(['round', 'shape']);
    expect([...cs.parentsOf('circle')].sort()).to.deep.equal(['round', 'shape']);
    expect(cs.descendants('triangle').size).to.equal(0);
    expect(cs.hasHierarchy).to.equal(true);
    expect(cs.codes()).to.have.length(7);
  });

  it('keeps concept properties as text', () => {
    expect(cs.concept('square')!.properties.get('sides')).to.deep.equal(['4']);
    expect(cs.concept('square')!.display).to.equal('Square');
  });
});

describe('terminology: expansion of composed ValueSets', () => {
  const S = SHAPES.url!;

  it('enumerated concepts, whole systems, excludes and imports', async () => {
    const a = vs('urn:a', { include: [{ system: 'urn:other', concept: [{ code: 'x' }, { code: 'y' }] }] });
    const b = vs('urn:b', { include: [{ system: S }, { valueSet: ['urn:a'] }], exclude: [{ system: S, concept: [{ code: 'shape' }] }] });
    const src = source([a, b]);
    expect([...(await expandCanonical('urn:a', src))]).to.deep.equal([{ system: 'urn:other', code: 'x' }, { system: 'urn:other', code: 'y' }]);
    const set = await expandCanonical('urn:b', src);
    expect(set.size).to.equal(8);
    expect(set.has(S, 'shape')).to.equal(false);
    expect(set.has('urn:other', 'y')).to.equal(true);
  });

  it('filters over the hierarchy and properties', async () => {
    const expand = async (filter: { property: string; op: string; value: string }[]) =>
      codes(await expandCanonical('urn:f', source([vs('urn:f', { include: [{ system: S, filter: filter as never }] })])));
    expect(await expand([{ property: 'concept', op: 'is-a', value: 'polygon' }])).to.deep.equal(['polygon', 'quad', 'square', 'triangle']);
    expect(await expand([{ property: 'concept', op: 'descendent-of', value: 'polygon' }])).to.deep.equal(['quad', 'square', 'triangle']);
    expect(await expand([{ property: 'concept', op: 'is-not-a', value: 'polygon' }])).to.deep.equal(['circle', 'round', 'shape']);
    expect(await expand([{ property: 'concept', op: 'generalizes', value: 'square' }])).to.deep.equal(['polygon', 'quad', 'shape', 'square']);
    expect(await expand([{ property: 'sides', op: '=', value: '4' }])).to.deep.equal(['quad', 'square']);
    expect(await expand([{ property: 'parent', op: '=', value: 'shape' }])).to.deep.equal(['circle', 'polygon', 'round']);
    expect(await expand([{ property: 'sides', op: 'exists', value: 'true' }])).to.deep.equal(['quad', 'square', 'triangle']);
    expect(await expand([{ property: 'concept', op: 'in', value: 'circle,nope,quad' }])).to.deep.equal(['circle', 'quad']);
    // Several filters in one include intersect.
    expect(await expand([{ property: 'concept', op: 'is-a', value: 'polygon' }, { property: 'sides', op: '=', value: '4' }])).to.deep.equal(['quad', 'square']);
    expect(await expand([{ property: 'concept', op: 'is-a', value: 'unknown-code' }])).to.deep.equal([]);
  });

  it('refuses what it cannot enumerate exactly', async () => {
    const regex = vs('urn:r', { include: [{ system: S, filter: [{ property: 'code', op: 'regex', value: 'q.*' }] }] });
    expect((await failure(expandCanonical('urn:r', source([regex])))).problem).to.equal('not-expandable');
    const fragment = { ...SHAPES, url: 'urn:fragment', content: 'fragment' as const };
    const whole = vs('urn:w', { include: [{ system: 'urn:fragment' }] });
    expect((await failure(expandCanonical('urn:w', source([whole], [fragment])))).message).to.contain("content here is 'fragment'");
    const external = vs('urn:e', { include: [{ system: 'http://loinc.org' }] });
    expect((await failure(expandCanonical('urn:e', source([external])))).problem).to.equal('not-expandable');
    const loop = vs('urn:loop', { include: [{ valueSet: ['urn:loop'] }] });
    expect((await failure(expandCanonical('urn:loop', source([loop])))).message).to.contain('imports itself');
    expect((await failure(expandCanonical('urn:none', source([])))).problem).to.equal('unknown');
  });

  it('reads a stored expansion when there is no compose, unless it is partial', async () => {
    const expanded: ValueSet = { resourceType: 'ValueSet', url: 'urn:x', status: 'active', expansion: { timestamp: '2026-01-01', contains: [{ system: 'urn:s', code: 'a', contains: [{ system: 'urn:s', code: 'b' }] }] } };
    expect(codes(await expandCanonical('urn:x', source([expanded])))).to.deep.equal(['a', 'b']);
    const partial = { ...expanded, expansion: { ...expanded.expansion!, total: 10 } };
    expect((await failure(expandCanonical('urn:x', source([partial])))).message).to.contain('partial');
  });
});

describe('terminology: the R4 terminology', () => {
  const t = new Terminology(empty);

  it('expands ValueSets that name a whole CodeSystem', async () => {
    const gender = await t.expand('http://hl7.org/fhir/ValueSet/administrative-gender');
    expect([...gender]).to.deep.equal(['male', 'female', 'other', 'unknown'].map((code) => ({ system: 'http://hl7.org/fhir/administrative-gender', code })));
    const status = await t.expand('http://hl7.org/fhir/ValueSet/observation-status|4.0.1');
    expect(codes(status)).to.include.members(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown']);
  });

  it('expands is-a filters over v3 hierarchies, with excludes', async () => {
    const account = await t.expand('http://hl7.org/fhir/ValueSet/account-type');
    expect(account.systems()).to.deep.equal([ACT_CODE]);
    expect(codes(account)).to.include.members(['_ActAccountCode', 'ACCTRECEIVABLE', 'CASH', 'PBILLACCT']);
    expect(account.has(ACT_CODE, 'AMB')).to.equal(false);
    const encounter = await t.expand('http://terminology.hl7.org/ValueSet/v3-ActEncounterCode');
    expect(codes(encounter)).to.include.members(['AMB', 'EMER', 'IMP', 'VR']);
    expect(encounter.has(ACT_CODE, '_ActEncounterCode')).to.equal(false);
  });

  it('expands imported ValueSets', async () => {
    const set = await t.expand('http://hl7.org/fhir/ValueSet/yesnodontknow');
    expect(set.has('http://terminology.hl7.org/CodeSystem/v2-0136', 'Y')).to.equal(true);
    expect(set.has('http://terminology.hl7.org/CodeSystem/data-absent-reason', 'asked-unknown')).to.equal(true);
  });

  it('refuses unknown ValueSets, unknown versions, and those over external code systems', async () => {
    expect((await failure(t.expand('http://example.org/nope'))).problem).to.equal('unknown');
    expect((await failure(t.expand('http://hl7.org/fhir/ValueSet/administrative-gender|9.9'))).problem).to.equal('unknown');
    expect((await failure(t.expand('http://hl7.org/fhir/ValueSet/observation-codes'))).message).to.contain('http://loinc.org');
  });

  it('answers subsumption, descendants and ancestors', async () => {
    expect(await t.subsumes(ACT_CODE, '_ActAccountCode', 'CASH')).to.equal('subsumes');
    expect(await t.subsumes(ACT_CODE, 'CASH', '_ActAccountCode')).to.equal('subsumed-by');
    expect(await t.subsumes(ACT_CODE, 'CASH', 'CASH')).to.equal('equivalent');
    expect(await t.subsumes(ACT_CODE, 'CASH', 'AMB')).to.equal('not-subsumed');
    expect((await failure(t.subsumes(ACT_CODE, 'CASH', 'no-such-code'))).problem).to.equal('unknown');
    expect(await t.descendants(ACT_CODE, '_ActAccountCode')).to.include.members(['CASH', 'PBILLACCT']);
    expect(await t.ancestors(ACT_CODE, 'CASH')).to.deep.equal(['_ActAccountCode']);
    expect(await t.descendants('http://loinc.org', '1234-5')).to.equal(undefined);
  });
});

describe('terminology: cache', () => {
  it('keeps a value per stamp until a terminology write, and never one heavier than the bound', async () => {
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cached('s1', 'k', compute, () => 1)).to.equal(1);
    expect(await cached('s1', 'k', compute, () => 1)).to.equal(1);
    expect(await cached('s2', 'k', compute, () => 1)).to.equal(2);
    terminologyChanged();
    expect(await cached('s1', 'k', compute, () => 1)).to.equal(3);
    expect(await cached('s1', 'heavy', compute, () => MAX_CACHED_WEIGHT + 1)).to.equal(4);
    expect(await cached('s1', 'heavy', compute, () => MAX_CACHED_WEIGHT + 1)).to.equal(5);
    // A write while computing: the value is answered but not kept.
    expect(await cached('s1', 'racing', async () => (terminologyChanged(), ++calls), () => 1)).to.equal(6);
    expect(await cached('s1', 'racing', compute, () => 1)).to.equal(7);
  });
});
