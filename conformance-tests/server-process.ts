import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';

/** The built server as the image runs it: `node dist/main.js` in its own process. */

export const ROOT = resolve(__dirname, '..');
export const MAIN = resolve(ROOT, 'dist', 'main.js');

/** Builds dist/ when it is missing (CI builds before the tests). */
export function ensureBuilt(): void {
  if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}

export interface ServerProcess {
  child: ChildProcess;
  /** JSON log lines seen on stdout so far. */
  logs: Record<string, unknown>[];
  /** Everything written to stderr. */
  stderr(): string;
  /** Resolves with the FHIR base once `count` processes have logged `listening`. */
  listening(count?: number, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal) of the process. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM (SIGKILL after 30 s) and waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startProcess(env: Record<string, string>, args: string[] = []): ServerProcess {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let err = '';
  let pending = '';
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ text: line });
      }
    }
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // A server the tests left running (a failed assertion, mocha's --exit) dies with the test process.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => {
      waiters.splice(0).forEach((w) => w());
      res({ code, signal });
    });
  });
  const listening = async (count = 1, timeoutMs = 90_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = logs.filter((l) => l.msg === 'listening');
      if (lines.length >= count) return String(lines[0]!.url);
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}): ${err}`);
      if (Date.now() > deadline) throw new Error(`server not listening within ${timeoutMs} ms: ${err}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 250);
      });
    }
  };
  return {
    child,
    logs,
    stderr: () => err,
    listening,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // Graceful shutdown gives up after 15-20 s; past 30 s the process is killed.
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        void exited.then(() => clearTimeout(timer));
      }
      return exited;
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request on a connection of its own (no keep-alive), so that cluster workers take turns. */
export function freshRequest(method: string, url: string, body?: unknown): Promise<Reply> {
  return new Promise((res, rej) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, agent: false, headers: payload ? { 'Content-Type': 'application/fhir+json' } : {} }, (r) => {
      let text = '';
      r.setEncoding('utf8').on('data', (c: string) => (text += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, text }));
    });
    req.on('error', rej);
    req.end(payload);
  });
}
