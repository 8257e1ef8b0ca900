import { expect } from 'chai';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { silentLogger } from '../core/logger';
import { buildHealthRouter } from './health';
import { createMetrics } from './metrics';

describe('health, readiness and metrics endpoints', () => {
  let server: Server;
  let base: string;
  let ready: () => Promise<object | void>;

  before(async () => {
    const metrics = createMetrics();
    const app = new Koa();
    app.use(metrics.middleware);
    app.use(async (ctx, next) => {
      if (ctx.path === '/fhir/Patient/1') {
        ctx.state.interaction = 'read';
        ctx.state.resourceType = 'Patient';
        ctx.body = {};
        return;
      }
      await next();
    });
    app.use(buildHealthRouter({ ready: () => ready(), metrics: metrics.registry, logger: silentLogger }).routes());
    server = app.listen(0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('/healthz answers 200 while the process runs', async () => {
    const r = await fetch(`${base}/healthz`);
    expect(r.status).to.equal(200);
    expect(await r.json()).to.deep.equal({ status: 'ok' });
  });

  it('/readyz follows storage readiness: 200 when ready, 503 without details when not', async () => {
    ready = async () => {};
    expect((await fetch(`${base}/readyz`)).status).to.equal(200);
    ready = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    };
    const r = await fetch(`${base}/readyz`);
    expect(r.status).to.equal(503);
    const text = await r.text();
    expect(text).not.to.contain('ECONNREFUSED');
  });

  it('/readyz passes on what storage reports, such as a read replica that is down, and stays 200', async () => {
    ready = async () => ({ replica: { state: 'unavailable' } });
    const r = await fetch(`${base}/readyz`);
    expect(r.status).to.equal(200);
    expect(await r.json()).to.deep.equal({ status: 'ready', replica: { state: 'unavailable' } });
  });

  it('/metrics exposes request counts and latencies by interaction and type, moving with traffic', async () => {
    const count = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('hearth_http_requests_total{') && l.includes('interaction="read"') && l.includes('resource_type="Patient"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await count();
    await fetch(`${base}/fhir/Patient/1`);
    await fetch(`${base}/fhir/Patient/1`);
    expect(await count()).to.equal(before + 2);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).to.contain('hearth_http_request_duration_seconds_bucket');
    expect(text).to.contain('hearth_process_resident_memory_bytes');
  });
});
