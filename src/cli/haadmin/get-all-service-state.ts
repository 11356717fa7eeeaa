// haadmin -getAllServiceState [--json]: one line per NameNode of the nameservice, "host:port"
// padded to 50 characters, a space, then the state padded to 10 (String.format("%-50s %-10s")),
// or "Failed to connect: <msg>" in the second column. Exit 0 even when some fail; "Failed to get
// service IDs" and -1 when no NameNode is configured. Parity: HAAdmin.getAllServiceState.
// --json (not in Hadoop) prints {"namenodes": [{"serviceId", "address", "state", "error"}]}
// with the configured address (no reverse lookup) and the same exit codes.

import { HaCallError } from '../../runtime/ports.js';
import { FAILED, OK, type HaAdminCommand } from './command.js';
import { printJson } from './json-output.js';
import type { CommandUsage } from './usage.js';
import { formatHostPort } from './zkfc-status-client.js';

const usage: CommandUsage = {
  name: '-getAllServiceState',
  args: undefined,
  help: 'Returns the state of all the services',
};

/** Java's %-Ns: left-justify, pad with spaces to at least `width`. */
export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

interface NamenodeState {
  readonly serviceId: string;
  readonly address: string;
  readonly state: string | null;
  readonly error: string | null;
}

export const getAllServiceState: HaAdminCommand = {
  usage,
  options: ['json'],
  async run(ctx, line) {
    // Parity: HAAdmin.getAllServiceState ignores extra arguments.
    const json = line.options.has('json');
    const ids = await ctx.targetIds();
    if (ids.length === 0) {
      ctx.io.err('Failed to get service IDs');
      if (json)
        printJson(ctx.io, {
          error: { kind: 'operation-failed', code: 'HAADMIN_NO_SERVICE_IDS', message: 'Failed to get service IDs' },
        });
      return FAILED;
    }
    const states: NamenodeState[] = [];
    for (const id of ids) {
      const target = await ctx.resolveTarget(id);
      const address = json
        ? formatHostPort(target.address)
        : `${await ctx.naming.hostName(target.address.host)}:${target.address.port}`;
      try {
        const status = await ctx.client(target.address).getServiceStatus(ctx.timeouts.cliCheckMs);
        states.push({ serviceId: id, address, state: status.state.toLowerCase(), error: null });
      } catch (error) {
        // Parity: only IOExceptions are caught per node; anything else aborts the command.
        if (!(error instanceof HaCallError)) throw error;
        states.push({ serviceId: id, address, state: null, error: error.message });
      }
      const last = states[states.length - 1];
      if (!json && last !== undefined) {
        ctx.io.out(
          `${padRight(last.address, 50)} ${padRight(last.state ?? `Failed to connect: ${last.error ?? ''}`, 10)}`,
        );
      }
    }
    if (json) printJson(ctx.io, { namenodes: states });
    return OK;
  },
};
