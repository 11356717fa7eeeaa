// Shared helpers for the fencing tests: a pino logger that captures its JSON lines, a real TCP
// listener in a child process (the "NameNode" that fencing must kill), and killing what a test
// started. Not a test file itself. Clocks, waiting, free ports and process liveness come from
// tools/testing.

import { spawn } from 'node:child_process';
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
    [
      '-e',
      `const s = require('net').createServer(c => c.end()); s.listen(0, ` +
        `${JSON.stringify(host)}, () => console.log(s.address().port));`,
    ],
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

/** Kill a pid we started (directly or through a script), ignoring "already gone". */
export function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
