import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { prepareBundle, prepareResources } from './prepare';
import { Progress } from './progress';
import { listFiles, readUnits, type ImportUnit } from './sources';
import type { ImportTarget, SendResult } from './targets';

export interface ImportOptions {
  paths: string[];
  target: ImportTarget;
  concurrency: number;
  ndjsonChunk?: number;
  /** Retries of a unit that failed with a transient status (409 transient, 429, 503) or a network error. */
  retries?: number;
  /** Where the progress bar goes (default stderr); null for none. */
  progress?: NodeJS.WriteStream | null;
  /** Called per unit with its duration, for benchmarks. */
  onUnit?: (unit: ImportUnit, ms: number, result: SendResult) => void;
}

export interface ImportFailure {
  source: string;
  status: number;
  reason: string;
}

export interface ImportSummary {
  files: number;
  units: number;
  resources: number;
  failedResources: number;
  failures: ImportFailure[];
  seconds: number;
  rate: number;
}

function outcomeText(o: OperationOutcome | undefined): string {
  return (o?.issue ?? []).map((i) => i.diagnostics ?? i.code).join('; ') || 'no details';
}

/** Failures in one send: the whole unit for a failed transaction, the failed entries of a batch. */
function failuresOf(unit: ImportUnit, r: SendResult): ImportFailure[] {
  if (r.status >= 300) {
    const o = r.body?.resourceType === 'OperationOutcome' ? r.body : undefined;
    return [{ source: unit.source, status: r.status, reason: outcomeText(o) }];
  }
  const out: ImportFailure[] = [];
  const response = r.body as Bundle | undefined;
  (response?.entry ?? []).forEach((e, i) => {
    const status = Number(e.response?.status?.split(' ')[0] ?? 0);
    if (status >= 300) out.push({ source: `${unit.source} entry ${i}`, status, reason: outcomeText(e.response?.outcome as OperationOutcome) });
  });
  return out;
}

/** Worth retrying: a network error, 429, 503, or a 409 the server marks as transient. */
function isTransient(r: SendResult): boolean {
  if (r.status === 0 || r.status === 429 || r.status === 503) return true;
  return r.status === 409 && r.body?.resourceType === 'OperationOutcome' && r.body.issue?.[0]?.code === 'transient';
}

async function sendWithRetry(target: ImportTarget, unit: ImportUnit, retries: number): Promise<SendResult> {
  for (let attempt = 0; ; attempt++) {
    let r: SendResult;
    try {
      r = await target.send(unit.bundle);
    } catch (err) {
      r = { status: 0, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: (err as Error).message }] } };
    }
    if (!isTransient(r) || attempt >= retries) return r;
    await new Promise((res) => setTimeout(res, 100 * 2 ** attempt));
  }
}

/** Imports every file with bounded concurrency; returns a summary with each failure and its reason. */
export async function runImport(opts: ImportOptions): Promise<ImportSummary> {
  const files = await listFiles(opts.paths);
  const sourceOpts = { ndjsonChunk: opts.ndjsonChunk ?? 500, prepareBundle, prepareResources };
  // A first pass counts resources for the progress bar and ETA.
  let total = 0;
  for await (const u of readUnits(files, sourceOpts)) total += u.resources + (u.unreadable?.length ?? 0);
  const progress = new Progress(total, opts.progress === null ? undefined : (opts.progress ?? process.stderr));
  const summary: ImportSummary = { files: files.length, units: 0, resources: 0, failedResources: 0, failures: [], seconds: 0, rate: 0 };
  const started = Date.now();
  const units = readUnits(files, sourceOpts);
  const worker = async () => {
    for (;;) {
      const next = await units.next();
      if (next.done) return;
      const unit = next.value;
      const t0 = performance.now();
      const result = await sendWithRetry(opts.target, unit, opts.retries ?? 3);
      opts.onUnit?.(unit, performance.now() - t0, result);
      const bad = (unit.unreadable ?? []).map((u) => ({ ...u, status: 400 }));
      const failures = [...bad, ...failuresOf(unit, result)];
      const failed = (result.status >= 300 ? unit.resources : failures.length - bad.length) + bad.length;
      summary.units++;
      summary.resources += unit.resources + bad.length;
      summary.failedResources += failed;
      summary.failures.push(...failures);
      progress.add(unit.resources, failed);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  progress.finish();
  summary.seconds = (Date.now() - started) / 1000;
  summary.rate = summary.seconds > 0 ? (summary.resources - summary.failedResources) / summary.seconds : 0;
  return summary;
}
