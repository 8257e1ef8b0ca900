import { expect } from 'chai';
import { http, withServer } from './harness';

/** Operational endpoints of a running server: metrics that move with traffic, health and readiness. */
withServer('conformance: metrics, health and readiness', (ctx) => {
  const root = () => ctx.url().replace(/\/fhir$/, '');
  const sample = (text: string, prefix: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(prefix));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('counts requests by interaction and type, and times validation', async () => {
    const before = (await http('GET', `${root()}/metrics`)).text;
    const created = await http('POST', `${ctx.url()}/Patient`, { body: { resourceType: 'Patient', gender: 'female' } });
    expect(created.status).to.equal(201);
    const after = (await http('GET', `${root()}/metrics`)).text;
    const creates = 'hearth_http_requests_total{method="POST",interaction="create",resource_type="Patient",status="201"}';
    expect(sample(after, creates)).to.equal(sample(before, creates) + 1);
    expect(sample(after, 'hearth_validation_duration_seconds_count')).to.be.greaterThan(sample(before, 'hearth_validation_duration_seconds_count'));
  });

  it('answers /healthz and /readyz with 200 while the database is up', async () => {
    expect((await http('GET', `${root()}/healthz`)).status).to.equal(200);
    expect((await http('GET', `${root()}/readyz`)).status).to.equal(200);
  });
});
