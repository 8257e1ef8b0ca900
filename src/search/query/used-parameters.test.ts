import { expect } from 'chai';
import { parseSearch } from './parse';
import { usedParameters } from './used-parameters';

const used = (query: string, resourceType?: string) =>
  usedParameters(parseSearch([...new URLSearchParams(query).entries()], { resourceType, baseUrl: 'http://x/fhir', now: new Date(), defaultCount: 10, maxCount: 100 }))
    .map((u) => `${u.resourceType}.${u.code}`)
    .sort();

describe('usedParameters', () => {
  it('lists the index-backed parameters of criteria, chains, _has, sort and includes', () => {
    expect(used('code=a&value-quantity=gt5&subject:missing=true', 'Observation')).to.deep.equal(['Observation.code', 'Observation.subject', 'Observation.value-quantity']);
    expect(used('subject:Patient.name=x', 'Observation')).to.deep.equal(['Observation.subject', 'Patient.name']);
    expect(used('_has:Observation:patient:code=a', 'Patient')).to.deep.equal(['Observation.code', 'Observation.patient']);
    expect(used('_sort=-date,_id&_include=Observation:subject&_revinclude=Provenance:target', 'Observation')).to.deep.equal(['Observation.date', 'Observation.subject', 'Provenance.target']);
  });

  it('leaves out parameters evaluated on the resource row, and wildcards', () => {
    expect(used('_id=a&_lastUpdated=gt2020&_sort=_lastUpdated&_include=*', 'Patient')).to.deep.equal([]);
    expect(used('_type=Patient,Group&_tag=x')).to.deep.equal(['Group._tag', 'Patient._tag']);
  });
});
