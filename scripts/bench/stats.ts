/** Small statistics helpers for benchmark figures. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

export interface Row {
  name: string;
  value: string;
  note?: string;
}

export function printTable(title: string, rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  const v = Math.max(...rows.map((r) => r.value.length), 6);
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
  for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}  ${r.value.padStart(v)}${r.note ? `  ${r.note}` : ''}\n`);
}
