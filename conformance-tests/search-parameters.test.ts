import { expect } from 'chai';
import { expectRawOutcome, unique, withServer } from './harness';
import { jobOf, latestJob, searchFor, waitForJob } from './search-parameter-helpers';

/**
 * Custom SearchParameters over HTTP: registered by their write, new writes indexed at once,
 * existing resources by a background reindex job whose progress is visible, a warning while it
 * runs, the CapabilityStatement, $reindex by hand, invalid definitions and deletion.
 */

const NOTE_URL = 'http://example.org/fhir/SearchParameter/observation-note-text';
const MAIDEN_URL = 'http://example.org/fhir/SearchParameter/patient-mothers-maiden-name';
const MAIDEN_EXT = 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName';

const noteParameter = (extra: Record<string, unknown> = {}) => ({
  resourceType: 'SearchParameter',
  url: NOTE_URL,
  name: 'NoteText',
  status: 'active',
  description: 'Text of the notes of an Observation',
  code: 'note-text',
  base: ['Observation'],
  type: 'string',
  expression: 'Observation.note.text',
  ...extra,
});

const observation = (note: string, code = 'x') => ({ resourceType: 'Observation', status: 'final', code: { text: code }, note: [{ text: note }] });

withServer('conformance: custom search parameters and $reindex', (ctx) => {
  const tag = unique('note');
  let spId = '';

  it('indexes new writes at once, warns while existing resources are reindexed, then answers completely', async () => {
    for (let i = 0; i < 3; i++) expect((await ctx.http('POST', 'Observation', { body: observation(`${tag} old ${i}`) })).status).to.equal(201);
    const created = await ctx.http('POST', 'SearchParameter', { body: noteParameter() });
    expect(created.status, created.text).to.equal(201);
    spId = created.json.id;
    expect((await ctx.http('POST', 'Observation', { body: observation(`${tag} new`) })).status).to.equal(201);

    const during = await searchFor(ctx, `Observation?note-text=${tag}`);
    expect(during.matches.map((m) => m.note[0].text)).to.include(`${tag} new`);
    expect(during.issues).to.have.length(1);
    expect(during.issues[0]).to.include({ severity: 'warning', code: 'incomplete' });
    expect(during.issues[0].diagnostics).to.match(/^Search parameter 'note-text' of Observation is being re-indexed \((queued|\d+ of \d+)\); results may be incomplete$/);

    const strict = await ctx.http('GET', `Observation?note-text=${tag}`, { headers: { Prefer: 'handling=strict' } });
    expect(expectRawOutcome(strict, 400).issue[0]).to.include({ code: 'incomplete' });
    const conditional = await ctx.http('POST', 'Observation', { body: observation(`${tag} new`), headers: { 'If-None-Exist': `note-text=${tag}` } });
    expect(expectRawOutcome(conditional, 400).issue[0]).to.include({ code: 'incomplete' });

    const job = await latestJob(ctx, NOTE_URL);
    expect(job).to.include({ incomplete: true });
    expect(job.type).to.deep.equal(['Observation']);
    expect(job.code).to.deep.equal(['note-text']);
    expect(job.status).to.be.oneOf(['queued', 'running']);
    const done = await waitForJob(ctx, job.id);
    expect(done.status).to.equal('done');
    expect(done.processed).to.equal(done.total);
    expect(done.processed).to.be.at.least(4);

    const after = await searchFor(ctx, `Observation?note-text=${tag}`);
    expect(after.matches.map((m) => m.note[0].text).sort()).to.deep.equal([`${tag} new`, `${tag} old 0`, `${tag} old 1`, `${tag} old 2`]);
    expect(after.issues).to.deep.equal([]);
    expect((await searchFor(ctx, `Observation?note-text:exact=${tag} old 1`)).matches).to.have.length(1);
  });

  it('lists the parameter and the $reindex operation in the CapabilityStatement and the OpenAPI document', async () => {
    const cs = (await ctx.http('GET', 'metadata')).json;
    const observationCs = cs.rest[0].resource.find((r: any) => r.type === 'Observation');
    expect(observationCs.searchParam.find((p: any) => p.name === 'note-text')).to.include({ type: 'string', definition: NOTE_URL });
    const definition = `${ctx.url()}/OperationDefinition/reindex`;
    expect(cs.rest[0].operation).to.deep.include({ name: 'reindex', definition });
    expect(observationCs.operation).to.deep.include({ name: 'reindex', definition });
    const od = await ctx.http('GET', 'OperationDefinition/reindex');
    expect(od.status).to.equal(200);
    expect(od.json).to.include({ resourceType: 'OperationDefinition', url: definition, code: 'reindex', system: true, type: true, instance: false, affectsState: true });
    const openapi = (await ctx.http('GET', 'openapi.json')).json;
    expect(Object.keys(openapi.paths)).to.include.members(['/$reindex', '/Observation/$reindex']);
    expect(Object.keys(openapi.paths)).not.to.include('/Observation/{id}/$reindex');
    expect(JSON.stringify(openapi.paths['/Observation'].get)).to.contain('note-text');
  });

  it('refuses invalid SearchParameters with 422 and stores nothing', async () => {
    const bad = [
      noteParameter({ url: 'http://example.org/bad-1', code: 'bad-1', expression: 'Observation.note.where(' }),
      noteParameter({ url: 'http://example.org/bad-2', code: 'bad-2', type: 'composite', component: [{ definition: 'http://example.org/none', expression: 'text' }] }),
      noteParameter({ url: 'http://example.org/bad-3' }),
    ];
    for (const body of bad) {
      const res = await ctx.http('POST', 'SearchParameter', { body });
      expect(expectRawOutcome(res, 422).issue[0].diagnostics).to.match(/SearchParameter/);
      const found = await searchFor(ctx, `SearchParameter?url=${encodeURIComponent(body.url)}`);
      expect(found.matches).to.deep.equal([]);
    }
    expect((await ctx.http('PUT', `SearchParameter/${spId}`, { body: { ...noteParameter({ expression: 'Observation.(' }), id: spId } })).status).to.equal(422);
  });

  it('reindexes with the new definition when the SearchParameter is updated', async () => {
    const updated = await ctx.http('PUT', `SearchParameter/${spId}`, { body: { ...noteParameter({ expression: 'Observation.note.text | Observation.code.text' }), id: spId } });
    expect(updated.status, updated.text).to.equal(200);
    const code = unique('code');
    expect((await ctx.http('POST', 'Observation', { body: observation('other', code) })).status).to.equal(201);
    await waitForJob(ctx, (await latestJob(ctx, NOTE_URL)).id);
    expect((await searchFor(ctx, `Observation?note-text=${code}`)).matches).to.have.length(1);
    expect((await searchFor(ctx, `Observation?note-text=${tag}`)).matches).to.have.length(4);
  });

  it('registers a SearchParameter written in a transaction Bundle, and reindexes the Bundle\'s other entries', async () => {
    const maiden = unique('Maiden');
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          request: { method: 'POST', url: 'SearchParameter' },
          resource: { resourceType: 'SearchParameter', url: MAIDEN_URL, name: 'MothersMaidenName', status: 'active', description: "Mother's maiden name", code: 'mothers-maiden-name', base: ['Patient'], type: 'string', expression: `Patient.extension('${MAIDEN_EXT}').value` },
        },
        { request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient', extension: [{ url: MAIDEN_EXT, valueString: maiden }] } },
      ],
    };
    const res = await ctx.http('POST', '', { body: bundle });
    expect(res.status, res.text).to.equal(200);
    await waitForJob(ctx, (await latestJob(ctx, MAIDEN_URL)).id);
    const found = await searchFor(ctx, `Patient?mothers-maiden-name=${maiden}`);
    expect(found.matches).to.have.length(1);
    expect(found.issues).to.deep.equal([]);
  });

  it('queues a reindex by hand: 202 with Content-Location naming the job status', async () => {
    const typeLevel = await ctx.http('POST', 'Observation/$reindex');
    expect(typeLevel.status, typeLevel.text).to.equal(202);
    const location = typeLevel.headers.get('content-location')!;
    expect(location).to.match(new RegExp(`^${ctx.url().replace(/[.$]/g, '\\$&')}/\\$reindex-status/[0-9a-f-]{36}$`));
    const queued = jobOf(typeLevel.json.parameter);
    expect(queued).to.include({ status: 'queued', incomplete: false });
    expect(queued.type).to.deep.equal(['Observation']);
    const done = await waitForJob(ctx, queued.id);
    expect(done).to.include({ status: 'done' });
    expect(done.processed).to.equal(done.total);
    expect((await ctx.http('GET', location)).status).to.equal(200);

    const byUrl = await ctx.http('POST', '$reindex', { body: { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: NOTE_URL }] } });
    expect(byUrl.status, byUrl.text).to.equal(202);
    expect(jobOf(byUrl.json.parameter)).to.deep.include({ type: ['Observation'], code: ['note-text'], url: [NOTE_URL] });
    await waitForJob(ctx, jobOf(byUrl.json.parameter).id);
    // A manual reindex does not make its parameters incomplete.
    expect((await searchFor(ctx, `Observation?note-text=${tag}`)).issues).to.deep.equal([]);

    expectRawOutcome(await ctx.http('POST', '$reindex', { body: { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: 'http://example.org/none' }] } }), 400);
    expectRawOutcome(await ctx.http('POST', '$reindex', { body: { resourceType: 'Patient' } }), 400);
    expectRawOutcome(await ctx.http('POST', 'Nope/$reindex'), 404);
    expectRawOutcome(await ctx.http('GET', '$reindex'), 405);
    expectRawOutcome(await ctx.http('GET', '$reindex-status/no-such-job'), 404);
  });

  it('forgets a deleted SearchParameter: its code is unknown again', async () => {
    expect((await ctx.http('DELETE', `SearchParameter/${spId}`)).status).to.equal(204);
    const lenient = await searchFor(ctx, `Observation?note-text=${tag}`);
    expect(lenient.issues.map((i) => i.code)).to.deep.equal(['not-supported']);
    expectRawOutcome(await ctx.http('GET', `Observation?note-text=${tag}`, { headers: { Prefer: 'handling=strict' } }), 400);
    const cs = (await ctx.http('GET', 'metadata')).json;
    expect(cs.rest[0].resource.find((r: any) => r.type === 'Observation').searchParam.map((p: any) => p.name)).not.to.include('note-text');
    await waitForJob(ctx, (await latestJob(ctx, NOTE_URL)).id);
    expect((await ctx.http('DELETE', `SearchParameter?url=${encodeURIComponent(MAIDEN_URL)}`)).status).to.equal(204);
    expect((await searchFor(ctx, 'Patient?mothers-maiden-name=x')).issues.map((i) => i.code)).to.deep.equal(['not-supported']);
  });
}, { env: { HEARTH_SYNC_INTERVAL_MS: '1000' } });
