// Runs one shell(...) fencing command for haadmin's manual -failover: `bash -e -c <command>` with
// stdin at EOF, a caller-built environment, its output handed back line by line, and a hard
// deadline that kills the command's whole process group.
//
// Why not src/fencing/shell-fence.ts: that runner always exports the fenced node as `target_*`
// (the ZKFC path). Manual failover's two-target form also fences with the `source_*` prefix
// (Parity: ShellCommandFencer.addTargetInfoAsEnvVars, Hadoop 3.3+), and then no `target_*`
// variables may be present, or a script that tells the two calls apart by `$target_host` would
// take the wrong branch. The process handling is shared with it (src/fencing/shell-process.ts).

import { SystemClock } from '../../runtime/system-clock.js';
import { runShellProcess, type ShellProcessResult } from '../../fencing/shell-process.js';

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

export type ShellCommandResult = ShellProcessResult;

const clock = new SystemClock();

/** Run the command to completion with exactly the given environment. Never rejects. */
export function runShellCommand(options: ShellCommandOptions): Promise<ShellCommandResult> {
  return runShellProcess({
    command: options.command,
    env: { ...options.env },
    timeoutMs: options.timeoutMs,
    killGraceMs: options.killGraceMs,
    clock,
    onLine: (stream, line) => options.onLine(stream, line),
    ...(options.onLaunched !== undefined ? { onLaunched: options.onLaunched } : {}),
  });
}
