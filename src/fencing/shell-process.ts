// Runs one shell(...) fencing command to completion: `bash -e -c <command>` with stdin at EOF,
// output handed back line by line (bounded), and a hard deadline after which every process the
// command started is killed: its process group, and also whatever left the group (`setsid`,
// double forks), found through a cgroup or the process tree (containment.ts). Whatever is still
// running when the command ends is killed too. Shared by the ZKFC's shell fencer (shell-fence.ts)
// and haadmin's manual failover, which differ only in the environment they build and how they log.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { errorMessage } from '../errors.js';
import type { Clock } from '../runtime/ports.js';
import { openContainment, processTreeFallback, type Containment, type ContainmentKind } from './containment.js';
import { DEFAULT_OUTPUT_LIMITS, OutputLineSplitter } from './output-lines.js';

/** After bash exits, how long background children may keep its output pipes open. */
export const OUTPUT_DRAIN_MS = 500;

/**
 * The first process when the command runs in a cgroup: it waits for "go" on fd 3 (sent once it
 * has been moved into the cgroup), closes fd 3 and becomes `bash -e -c <command>` (same pid, $0
 * "bash" as in Hadoop). Without "go" (the daemon died meanwhile) the command does not run.
 */
const GATE_SCRIPT = 'IFS= read -r go <&3 && [ "$go" = go ] || exit 125; exec 3<&-; exec bash -e -c "$1"';

export interface ShellProcessOptions {
  readonly command: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL at the deadline. */
  readonly killGraceMs: number;
  readonly clock: Pick<Clock, 'schedule'>;
  /** How descendants are found: 'auto' (default) takes a cgroup when one can be created. */
  readonly containment?: 'auto' | ContainmentKind;
  /** Each output line (bounded in length and number, see output-lines.ts). */
  readonly onLine: (stream: 'stdout' | 'stderr', line: string, pid: number | undefined) => void;
  readonly onLaunched?: (pid: number, containment: ContainmentKind) => void;
  /** The deadline passed; every process of the command gets SIGTERM now. */
  readonly onTimeout?: (pid: number | undefined) => void;
  /** bash exited but processes it started were still running (and holding its output, or not); they were killed. */
  readonly onLeftovers?: (pid: number | undefined, count: number) => void;
}

export interface ShellProcessResult {
  /** success: exit 0; failure: other exit or signal; timeout: killed at the deadline; error: could not run. */
  readonly outcome: 'success' | 'failure' | 'timeout' | 'error';
  readonly detail: string;
}

/** Run the command to completion. Never rejects. */
export function runShellProcess(options: ShellProcessOptions): Promise<ShellProcessResult> {
  const { command, timeoutMs, clock } = options;
  let containment: Containment = openContainment({ prefer: options.containment ?? 'auto', clock });
  let child: ChildProcess;
  try {
    // detached: the command leads its own session and process group, so the deadline can kill it
    // together with everything it started (process.kill(-pid)), and the process-tree fallback
    // can recognise its members by session id.
    // stdin is /dev/null, not a pipe we close: Node's stdio "pipes" are socketpairs, and bash
    // sources ~/.bashrc when stdin is a socket (it assumes sshd started it). Java's pipes do not
    // trigger that, and /dev/null gives the same immediate EOF as Hadoop's closed stdin.
    const env = { ...options.env, ...containment.env };
    child = containment.gated
      ? spawn('bash', ['-c', GATE_SCRIPT, 'bash', command], {
          env,
          stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
          detached: true,
        })
      : spawn('bash', ['-e', '-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (cause) {
    void containment.release();
    return Promise.resolve({ outcome: 'error', detail: `unable to execute ${command}: ${errorMessage(cause)}` });
  }
  const pid = child.pid;
  if (pid !== undefined && containment.gated) {
    try {
      containment.adopt(pid);
    } catch {
      // The cgroup exists but we may not move processes into it: fall back for this command.
      void containment.release();
      containment = processTreeFallback(containment, clock);
      containment.adopt(pid);
    }
    (child.stdio[3] as Writable | null)?.end('go\n');
  } else if (pid !== undefined) {
    containment.adopt(pid);
  }

  return new Promise<ShellProcessResult>((resolve) => {
    const cancels: Array<() => void> = [];
    let timedOut = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let openStreams = 2;

    const signalAll = (signal: NodeJS.Signals): void => {
      if (pid === undefined) return;
      // The containment first: it finds the members before any of them dies (a dead parent
      // would cut its children off the process tree).
      containment.signal(signal);
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    /** SIGKILL every process of the command; resolves with how many were still running. */
    const killAll = async (): Promise<number> => {
      const running = containment.members().length;
      if (pid !== undefined) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // ESRCH: the group is already gone.
        }
      }
      await containment.killAll();
      return running;
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
      // Nothing the command started outlives it, whatever the outcome. Removing the (empty)
      // cgroup afterwards may take a moment; the result does not wait for it.
      void killAll()
        .then((left) => {
          if (left > 0 && !timedOut) options.onLeftovers?.(pid, left);
        })
        .catch(() => undefined)
        .then(() => {
          resolve(result);
          void containment.release();
        });
    };
    const conclude = (): void => {
      if (exit === undefined) return;
      if (timedOut) {
        finish({
          outcome: 'timeout',
          detail:
            `fencing command '${command}' did not finish within ` +
            `${timeoutMs} ms; it and every process it started were killed`,
        });
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
    child.once('error', (cause) =>
      finish({ outcome: 'error', detail: `unable to execute ${command}: ${cause.message}` }),
    );
    if (pid === undefined) return; // 'error' follows
    options.onLaunched?.(pid, containment.kind);

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
      // A background child still holds our pipes. Give it a moment, then end it with the rest.
      cancels.push(
        clock.schedule(OUTPUT_DRAIN_MS, () => {
          if (settled) return;
          conclude();
        }),
      );
    });

    cancels.push(
      clock.schedule(timeoutMs, () => {
        if (settled) return;
        timedOut = true;
        options.onTimeout?.(pid);
        signalAll('SIGTERM');
        cancels.push(
          clock.schedule(options.killGraceMs, () => {
            // Members that ignored SIGTERM (or that left the group) must not outlive the deadline.
            signalAll('SIGKILL');
            // Whatever still holds the pipes is gone now; bash's exit decides.
            if (exit !== undefined) conclude();
          }),
        );
        // bash already exited; only leftovers remained. Kill them now rather than after the grace.
        if (exit !== undefined) conclude();
      }),
    );
  });
}
