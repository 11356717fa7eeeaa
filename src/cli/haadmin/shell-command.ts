// Runs one shell(...) fencing command for haadmin's manual -failover: `bash -e -c <command>` with
// stdin at EOF, a caller-built environment, its output handed back line by line, and a hard
// deadline that kills the command's whole process group.
//
// Why not src/fencing/shell-fence.ts: that runner always exports the fenced node as `target_*`
// (the ZKFC path). Manual failover's two-target form also fences with the `source_*` prefix
// (Parity: ShellCommandFencer.addTargetInfoAsEnvVars, Hadoop 3.3+), and then no `target_*`
// variables may be present, or a script that tells the two calls apart by `$target_host` would
// take the wrong branch. The process handling mirrors shell-fence.ts (same limits, same kill rules).

import { spawn, type ChildProcess } from 'node:child_process';
import { errorMessage } from '../../errors.js';
import { DEFAULT_OUTPUT_LIMITS, OutputLineSplitter } from '../../fencing/output-lines.js';

/** After bash exits, how long background children may keep its output pipes open. */
const OUTPUT_DRAIN_MS = 500;

export interface ShellCommandOptions {
  readonly command: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL to the process group at the deadline. */
  readonly killGraceMs: number;
  /** Called once the process runs. */
  readonly onLaunched?: (pid: number) => void;
  /** Each output line (bounded in length and number, see output-lines.ts). */
  readonly onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface ShellCommandResult {
  /** success: exit 0; failure: other exit or signal; timeout: killed at the deadline; error: could not run. */
  readonly outcome: 'success' | 'failure' | 'timeout' | 'error';
  readonly detail: string;
}

/** Run the command to completion. Never rejects. */
export function runShellCommand(options: ShellCommandOptions): Promise<ShellCommandResult> {
  let child: ChildProcess;
  try {
    // detached: the command leads its own process group, so the deadline kills what it started too.
    // stdin /dev/null: EOF at once, as Hadoop closes the command's stdin (and bash does not treat
    // a socketpair stdin as an ssh session and source ~/.bashrc).
    child = spawn('bash', ['-e', '-c', options.command], { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (cause) {
    return Promise.resolve({ outcome: 'error', detail: `unable to execute ${options.command}: ${errorMessage(cause)}` });
  }
  const { command, timeoutMs } = options;
  const pid = child.pid;

  return new Promise<ShellCommandResult>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let openStreams = 2;

    const killGroup = (signal: NodeJS.Signals): void => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: the group is gone already.
      }
    };
    const outLines = new OutputLineSplitter(DEFAULT_OUTPUT_LIMITS, (line) => options.onLine('stdout', line));
    const errLines = new OutputLineSplitter(DEFAULT_OUTPUT_LIMITS, (line) => options.onLine('stderr', line));

    const finish = (result: ShellCommandResult): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      outLines.end();
      errLines.end();
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(result);
    };
    const conclude = (): void => {
      if (exit === undefined) return;
      if (timedOut) {
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
      // A background child still holds the pipes: give it a moment, then end it with the group.
      timers.push(
        setTimeout(() => {
          if (settled) return;
          killGroup('SIGKILL');
          conclude();
        }, OUTPUT_DRAIN_MS),
      );
    });

    timers.push(
      setTimeout(() => {
        if (settled) return;
        timedOut = true;
        killGroup('SIGTERM');
        timers.push(
          setTimeout(() => {
            killGroup('SIGKILL');
            if (exit !== undefined) conclude();
          }, options.killGraceMs),
        );
        if (exit !== undefined) {
          killGroup('SIGKILL');
          conclude();
        }
      }, timeoutMs),
    );
  });
}
