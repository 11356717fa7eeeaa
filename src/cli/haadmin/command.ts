// The shape every haadmin command file has: its usage entry, the options it accepts (parsed the
// way commons-cli's GnuParser does for HAAdmin: "-opt" or "--opt", anywhere on the line), and
// `run`, which returns Hadoop's status (0, or -1 for any failure; the process exits with 255;
// -status returns its own small codes, see cluster-status.ts).

import type { HaAdminContext } from './context.js';
import type { CommandUsage } from './usage.js';

export interface ParsedCommandLine {
  /** Positional arguments after the command name. */
  readonly args: readonly string[];
  /** Options given, without dashes ("forcemanual"). */
  readonly options: ReadonlySet<string>;
  /** Option tokens given, repeats included (commons-cli's getOptions().length; -failover allows 3). */
  readonly optionCount: number;
  /** Values of the options the command declares in `valueOptions` (`--ttl 30m`), by name. */
  readonly values: ReadonlyMap<string, string>;
}

export interface HaAdminCommand {
  readonly usage: CommandUsage;
  /** Option names this command accepts; "forcemanual" makes the runner ask for confirmation first. */
  readonly options: readonly string[];
  /** Options among `options` that take the next token as their value (not in Hadoop's commands). */
  readonly valueOptions?: readonly string[];
  run(ctx: HaAdminContext, line: ParsedCommandLine): Promise<number>;
}

/** Hadoop's failure status; the launcher turns it into exit code 255. */
export const FAILED = -1;
export const OK = 0;

/** Parity: "<cmd>: incorrect number of arguments" followed by the command's usage line. */
export function incorrectArgumentCount(ctx: HaAdminContext, usage: CommandUsage, usageLine: string): number {
  ctx.io.err(`${usage.name.slice(1)}: incorrect number of arguments`);
  ctx.io.err(usageLine);
  return FAILED;
}
