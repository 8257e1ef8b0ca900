import { expect } from 'chai';
import { sleep, type ServerContext } from './harness';

/** Helpers of the custom SearchParameter tests: reindex job status, waiting, searching. */

/** The value of each output parameter of a job (repeated ones as arrays). */
export function jobOf(parameters: any[]): Record<string, any> {
  const job: Record<string, any> = {};
  for (const p of parameters) {
    const value = p.valueString ?? p.valueCode ?? p.valueInteger ?? p.valueBoolean ?? p.valueUri ?? p.valueInstant;
    if (['url', 'code', 'type'].includes(p.name)) (job[p.name] ??= []).push(value);
    else job[p.name] = value;
  }
  return job;
}

/** The newest job for a SearchParameter url, from GET $reindex-status. */
export async function latestJob(ctx: ServerContext, url: string): Promise<Record<string, any>> {
  const res = await ctx.http('GET', '$reindex-status');
  expect(res.status, res.text).to.equal(200);
  const jobs = (res.json.parameter ?? []).map((p: any) => jobOf(p.part));
  const job = jobs.find((j: any) => (j.url ?? []).includes(url));
  expect(job, `a job for ${url}`).to.not.equal(undefined);
  return job;
}

export async function waitForJob(ctx: ServerContext, id: string, timeoutMs = 60_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await ctx.http('GET', `$reindex-status/${id}`);
    expect(res.status, res.text).to.equal(200);
    const job = jobOf(res.json.parameter);
    if (job.status === 'done' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${id} not done: ${res.text}`);
    await sleep(100);
  }
}

export async function searchFor(ctx: ServerContext, query: string, headers: Record<string, string> = {}) {
  const res = await ctx.http('GET', query, { headers });
  expect(res.status, res.text).to.equal(200);
  const entries: any[] = res.json.entry ?? [];
  return {
    matches: entries.filter((e) => e.search.mode === 'match').map((e) => e.resource),
    issues: entries.filter((e) => e.search.mode === 'outcome').flatMap((e) => e.resource.issue),
  };
}
