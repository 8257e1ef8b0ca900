import { Client } from 'pg';
import { fmt, percentile, type Row } from './stats';

/** Search latencies over HTTP against a loaded (and replicated) database, and read throughput. */

interface Samples {
  loinc: string[];
  snomed: string;
  names: string[];
  patients: string[];
}

async function samples(databaseUrl: string): Promise<Samples> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const loinc = await c.query<{ value: string }>(
      `SELECT value FROM idx_token WHERE resource_type = 'Observation' AND code = 'code' AND system = 'http://loinc.org'
       GROUP BY value ORDER BY count(*) DESC LIMIT 20`,
    );
    const snomed = await c.query<{ value: string }>(
      `SELECT value FROM idx_token WHERE resource_type = 'Condition' AND code = 'code' AND system = 'http://snomed.info/sct'
       GROUP BY value ORDER BY count(*) DESC LIMIT 1`,
    );
    const names = await c.query<{ value: string }>(
      `SELECT DISTINCT left(value, 4) AS value FROM idx_string WHERE resource_type = 'Patient' AND code = 'family' LIMIT 30`,
    );
    const patients = await c.query<{ id: string }>(`SELECT id FROM resources WHERE resource_type = 'Patient' ORDER BY random() LIMIT 200`);
    return { loinc: loinc.rows.map((r) => r.value), snomed: snomed.rows[0]?.value ?? '', names: names.rows.map((r) => r.value), patients: patients.rows.map((r) => r.id) };
  } finally {
    await c.end();
  }
}

async function timed(url: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(url, { headers: { Accept: 'application/fhir+json' } });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
  return performance.now() - t0;
}

async function latency(label: string, target: number, urls: string[]): Promise<Row> {
  await timed(urls[0]!); // warm-up
  const ms: number[] = [];
  for (const u of urls) ms.push(await timed(u));
  const p50 = percentile(ms, 50);
  return { name: `search: ${label}`, value: `${fmt(p50, 1)} ms`, note: `p50 (p95 ${fmt(percentile(ms, 95), 1)} ms) over ${ms.length}; target < ${target} ms` };
}

const pick = <T>(list: T[], i: number): T => list[i % list.length]!;

export async function searchRows(base: string, databaseUrl: string, resources: number): Promise<Row[]> {
  const s = await samples(databaseUrl);
  const runs = 40;
  const idx = [...Array(runs).keys()];
  const rows: Row[] = [{ name: 'search: database size', value: `${resources}`, note: 'current resources' }];
  rows.push(await latency('Observation?code=…&_count=50', 10, idx.map((i) => `${base}/Observation?code=http://loinc.org|${pick(s.loinc, i)}&_count=50`)));
  rows.push(await latency('Patient?name=…', 10, idx.map((i) => `${base}/Patient?name=${encodeURIComponent(pick(s.names, i))}`)));
  rows.push(
    await latency(
      'two-clause _has cohort count',
      100,
      idx.map((i) => `${base}/Patient?_has:Condition:subject:code=http://snomed.info/sct|${s.snomed}&_has:Observation:subject:code=http://loinc.org|${pick(s.loinc, i)}&birthdate=le1970&_summary=count`),
    ),
  );
  rows.push(await latency('Observation?patient=…&_sort=-date&_count=50', 10, idx.map((i) => `${base}/Observation?patient=${pick(s.patients, i)}&_sort=-date&_count=50`)));
  rows.push(await readThroughput(base, s.patients));
  return rows;
}

/** 8 concurrent clients reading patients by id for a few seconds. */
async function readThroughput(base: string, ids: string[]): Promise<Row> {
  const ms: number[] = [];
  const until = performance.now() + 5000;
  let n = 0;
  const client = async (k: number) => {
    for (let i = k; performance.now() < until; i += 8) {
      ms.push(await timed(`${base}/Patient/${pick(ids, i)}`));
      n++;
    }
  };
  const t0 = performance.now();
  await Promise.all([...Array(8).keys()].map(client));
  const secs = (performance.now() - t0) / 1000;
  return { name: 'read by id, 8 concurrent clients', value: `${fmt(n / secs)} req/s`, note: `p99 ${fmt(percentile(ms, 99), 1)} ms; target ≥ 4,000 req/s, p99 < 10 ms` };
}
