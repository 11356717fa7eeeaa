// Runs one shell(...) fencing command to completion: `bash -e -c <command>` with stdin at EOF,
// output handed back line by line (bounded), and a hard deadline that kills the command's whole
// process group, grandchildren included. Shared by the ZKFC's shell fencer (shell-fence.ts) and
// haadmin's manual failover, which differ only in the environment they build and how they log.

import { spawn, type ChildProcess } from 'node:child_process';
import { errorMessage } from '../errors.js';
import type { Clock } from '../runtime/ports.js';
import { DEFAULT_OUTPUT_LIMITS, OutputLineSplitter } from './output-lines.js';

/** After bash exits, how long background children may keep its output pipes open. */
export const OUTPUT_DRAIN_MS = 500;

export interface ShellProcessOptions {
  readonly command: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL to the process group at the deadline. */
  readonly killGraceMs: number;
  readonly clock: Pick<Clock, 'schedule'>;
  /** Each output line (bounded in length and number, see output-lines.ts). */
  readonly onLine: (stream: 'stdout' | 'stderr', line: string, pid: number | undefined) => void;
  readonly onLaunched?: (pid: number) => void;
  /** The deadline passed; the group gets SIGTERM now. */
  readonly onTimeout?: (pid: number | undefined) => void;
  /** bash exited but background processes still held its output; the group gets SIGKILL. */
  readonly onLeftovers?: (pid: number | undefined) => void;
}

export interface ShellProcessResult {
  /** success: exit 0; failure: other exit or signal; timeout: killed at the deadline; error: could not run. */
  readonly outcome: 'success' | 'failure' | 'timeout' | 'error';
  readonly detail: string;
}

/** Run the command to completion. Never rejects. */
export function runShellProcess(options: ShellProcessOptions): Promise<ShellProcessResult> {
  const { command, timeoutMs, clock } = options;
  let child: ChildProcess;
  try {
    // detached: the command leads its own process group, so the deadline can kill it together
    // with everything it started (process.kill(-pid)).
    // stdin is /dev/null, not a pipe we close: Node's stdio "pipes" are socketpairs, and bash
    // sources ~/.bashrc when stdin is a socket (it assumes sshd started it). Java's pipes do not
    // trigger that, and /dev/null gives the same immediate EOF as Hadoop's closed stdin.
    child = spawn('bash', ['-e', '-c', command], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (cause) {
    return Promise.resolve({ outcome: 'error', detail: `unable to execute ${command}: ${errorMessage(cause)}` });
  }
  const pid = child.pid;

  return new Promise<ShellProcessResult>((resolve) => {
    const cancels: Array<() => void> = [];
    let timedOut = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let openStreams = 2;

    const killGroup = (signal: NodeJS.Signals): void => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const outLines = new OutputLineSplitter(DEFAULT_OUTPUT_LIMITS, (line) => options.onLine('stdout', line, pid));
    const errLines = new OutputLineSplitter(DEFAULT_OUTPUT_LIMITS, (line) => options.onLine('stderr', line, pid));

    const finish = (result: ShellProcessResult): void => {
      if (settled) return;
      settled = true;
      for (const cancel of cancels) cancel();
      outLines.end();
      errLines.end();
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(result);
    };
    const conclude = (): void => {
      if (exit === undefined) return;
      if (timedOut) {
        // Members that ignored SIGTERM (or closed their output) must not outlive the deadline.
        killGroup('SIGKILL');
        finish({ outcome: 'timeout', detail: `fencing command '${command}' did not finish within ${timeoutMs} ms; its process group was killed` });
        return;
      }
      if (exit.code === 0) {
        finish({ outcome: 'success', detail: `fencing command '${command}' exited 0` });
        return;
      }
      const how = exit.code !== null ? `exited ${exit.code}` : `was killed by ${exit.signal ?? 'a signal'}`;
      finish({ outcome: 'failure', detail: `fencing command '${command}' ${how}` });
    };

    // Spawn failure (bash missing, fork failed): no 'exit' follows.
    child.once('error', (cause) => finish({ outcome: 'error', detail: `unable to execute ${command}: ${cause.message}` }));
    if (pid === undefined) return; // 'error' follows
    options.onLaunched?.(pid);

    child.stdout?.on('data', (chunk: Buffer) => outLines.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => errLines.push(chunk));
    const onStreamClosed = (): void => {
      openStreams--;
      if (openStreams === 0) conclude();
    };
    child.stdout?.once('close', onStreamClosed);
    child.stderr?.once('close', onStreamClosed);

    child.once('exit', (code, signal) => {
      exit = { code, signal };
      if (openStreams === 0) {
        conclude();
        return;
      }
      // A background child still holds our pipes. Give it a moment, then end it with the group.
      cancels.push(
        clock.schedule(OUTPUT_DRAIN_MS, () => {
          if (settled) return;
          options.onLeftovers?.(pid);
          killGroup('SIGKILL');
          conclude();
        }),
      );
    });

    cancels.push(
      clock.schedule(timeoutMs, () => {
        if (settled) return;
        timedOut = true;
        options.onTimeout?.(pid);
        killGroup('SIGTERM');
        cancels.push(
          clock.schedule(options.killGraceMs, () => {
            killGroup('SIGKILL');
            // The group is gone now, whatever still holds the pipes; bash's exit decides.
            if (exit !== undefined) conclude();
          }),
        );
        if (exit !== undefined) {
          // bash already exited; only leftovers remained. Kill them now rather than after the grace.
          killGroup('SIGKILL');
          conclude();
        }
      }),
    );
  });
}
