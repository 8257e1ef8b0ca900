/** A progress line on stderr: resources done, rate, ETA; redrawn in place on a terminal, else every few seconds. */
export class Progress {
  private done = 0;
  private failed = 0;
  private readonly started = Date.now();
  private lastPrint = 0;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream | undefined,
  ) {}

  add(resources: number, failed: number): void {
    this.done += resources;
    this.failed += failed;
    const now = Date.now();
    const tty = Boolean(this.out?.isTTY);
    if (now - this.lastPrint >= (tty ? 200 : 5000)) {
      this.lastPrint = now;
      this.print(tty);
    }
  }

  rate(): number {
    const secs = (Date.now() - this.started) / 1000;
    return secs > 0 ? this.done / secs : 0;
  }

  line(): string {
    const rate = this.rate();
    const pct = this.total > 0 ? Math.min(100, (100 * this.done) / this.total) : 100;
    const eta = rate > 0 ? Math.max(0, (this.total - this.done) / rate) : 0;
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    return `[${bar}] ${pct.toFixed(1)}% ${this.done}/${this.total} resources, ${rate.toFixed(0)}/s, ETA ${eta.toFixed(0)}s, ${this.failed} failed`;
  }

  private print(tty: boolean): void {
    if (!this.out) return;
    this.out.write(tty ? `\r${this.line()}` : `${this.line()}\n`);
  }

  finish(): void {
    if (!this.out) return;
    this.out.write(this.out.isTTY ? `\r${this.line()}\n` : `${this.line()}\n`);
  }
}
