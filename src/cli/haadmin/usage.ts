// haadmin's usage and help texts, worded as Hadoop's HAAdmin / DFSHAAdmin print them. Each
// command file describes itself with a CommandUsage; the runner merges them sorted by name as
// DFSHAAdmin's USAGE_DFS_MERGED (an ImmutableSortedMap) does.

export interface CommandUsage {
  /** "-getServiceState" */
  readonly name: string;
  /** Argument synopsis, e.g. "<serviceId>"; undefined for commands without arguments. */
  readonly args: string | undefined;
  readonly help: string;
}

export const USAGE_PREFIX = 'Usage: haadmin [-ns <nameserviceId>]';

/** The generic options this haadmin understands (a subset of Hadoop's GenericOptionsParser). */
export const GENERIC_OPTIONS_USAGE = [
  'Generic options supported are:',
  '-conf <configuration file>        specify an application configuration file',
  '-D <property=value>               define a value for a given property',
  '',
  'The general command line syntax is:',
  'command [genericOptions] [commandOptions]',
  '',
];

/** Parity: HAAdmin.printUsage(PrintStream, Map): the full usage, then the generic options. */
export function fullUsage(usages: readonly CommandUsage[]): string[] {
  const lines = [USAGE_PREFIX];
  for (const usage of sortedUsages(usages)) {
    lines.push(usage.args === undefined ? `    [${usage.name}]` : `    [${usage.name} ${usage.args}]`);
  }
  lines.push('');
  lines.push(...GENERIC_OPTIONS_USAGE);
  return lines;
}

/** Parity: HAAdmin.printUsage(PrintStream, String cmd, Map): one command's usage line. */
export function commandUsageLine(usage: CommandUsage): string {
  return usage.args === undefined ? `${USAGE_PREFIX} [${usage.name}]` : `${USAGE_PREFIX} [${usage.name} ${usage.args}]`;
}

/** Parity: HAAdmin.help: "-cmd [args]: help" (or "-cmd: help" without arguments). */
export function helpLine(usage: CommandUsage): string {
  return usage.args === undefined ? `${usage.name}: ${usage.help}` : `${usage.name} [${usage.args}]: ${usage.help}`;
}

/** Java's String natural order (UTF-16 code units), as ImmutableSortedMap.naturalOrder sorts. */
export function sortedUsages(usages: readonly CommandUsage[]): CommandUsage[] {
  return [...usages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
