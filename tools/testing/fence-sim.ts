// Fencing helper for clusters of simulated NameNodes (sandbox, end-to-end tests, chaos,
// benchmark): the operator-style `shell(...)` fencer that kills the simulated NameNode process.
//   node build/tools/cli/fence-sim-main.js <pid-file> <ends-file>
// SIGKILLs the pid in <pid-file>, waits until the process is really dead (gone or a zombie),
// and appends {"pid":…,"monoNs":"…"} to <ends-file>, the moment its active period ended, for the
// split-brain oracle (a SIGKILLed NameNode cannot write its own transition log line).
// Exit 0 = fenced (also when the process was already dead), 1 = could not kill it.

import { appendFileSync, readFileSync } from 'node:fs';
import { processAlive } from './processes.js';
import { sleep } from './wait.js';

export function recordEnd(endsFile: string, pid: number, monoNs: bigint): void {
  appendFileSync(endsFile, JSON.stringify({ pid, monoNs: monoNs.toString() }) + '\n');
}

/** Kill and wait until dead; returns the CLOCK_MONOTONIC ns right after the kill, or undefined. */
export async function killAndWait(pid: number, timeoutMs = 5000): Promise<bigint | undefined> {
  let killedAt: bigint;
  try {
    process.kill(pid, 'SIGKILL');
    killedAt = process.hrtime.bigint();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return process.hrtime.bigint();
    return undefined;
  }
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return undefined;
    await sleep(2);
  }
  return killedAt;
}

export async function fenceSimMain(argv: readonly string[]): Promise<number> {
  const [pidFile, endsFile] = argv;
  if (pidFile === undefined || endsFile === undefined) {
    process.stderr.write('usage: fence-sim <pid-file> <ends-file>\n');
    return 2;
  }
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    process.stdout.write(`no pid file ${pidFile}: NameNode not running, nothing to fence\n`);
    return 0;
  }
  if (!Number.isInteger(pid) || pid <= 1) {
    process.stderr.write(`bad pid in ${pidFile}\n`);
    return 1;
  }
  const endedAt = await killAndWait(pid);
  if (endedAt === undefined) {
    process.stderr.write(`could not kill pid ${pid}\n`);
    return 1;
  }
  recordEnd(endsFile, pid, endedAt);
  process.stdout.write(`fenced pid ${pid}\n`);
  return 0;
}
