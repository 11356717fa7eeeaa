// Process liveness for tests and harnesses (Linux: read from /proc).

import { readFileSync } from 'node:fs';

/**
 * True while a process with this pid runs. A zombie (dead, not yet reaped by whoever inherited it)
 * counts as gone: it no longer runs, holds no port and cannot act.
 */
export function processAlive(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
