// Shared helpers for the fencing tests: a real-time Clock, a pino logger that captures its JSON
// lines, a real TCP listener in a child process (the "NameNode" that fencing must kill), and
// process liveness checks. Not a test file itself.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../../src/observability/logger.js';


export interface CapturedLogger {
  readonly logger: Logger;
  /** Parsed log records so far. */
  records(): Array<Record<string, unknown>>;
}

export function captureLogger(level = 'debug'): CapturedLogger {
  const lines: string[] = [];
  let partial = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line.length > 0));
      callback();
    },
  });
  const logger = pino({ level }, destination);
  return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export interface ListenerProcess {
  readonly pid: number;
  readonly port: number;
  /** Resolves with the signal (or exit code) once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

/** A child `node -e` process with a TCP server on a free loopback port. */
export async function spawnListener(host = '127.0.0.1'): Promise<ListenerProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `const s = require('net').createServer(c => c.end()); s.listen(0, ${JSON.stringify(host)}, () => console.log(s.address().port));`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^(\d+)\n/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`listener exited before listening: ${out}`)));
  });
  if (child.pid === undefined) throw new Error('listener has no pid');
  return {
    pid: child.pid,
    port,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * True while a process with this pid runs. A zombie (dead, not yet reaped by whoever inherited
 * it) counts as gone: it no longer runs, holds no port and cannot act.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}


/** Kill a pid we started (directly or through a script), ignoring "already gone". */
export function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A free TCP port on host (listen on 0, close). Nothing listens there afterwards. */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
