// haadmin -getAllServiceState: one line per NameNode of the nameservice, "host:port" padded to
// 50 characters, a space, then the state padded to 10 (String.format("%-50s %-10s")), or
// "Failed to connect: <msg>" in the second column. Exit 0 even when some fail; "Failed to get
// service IDs" and -1 when no NameNode is configured. Parity: HAAdmin.getAllServiceState.

import { RemoteError, RpcTransportError } from '../../ipc/errors.js';
import { FAILED, OK, type HaAdminCommand } from './command.js';
import type { CommandUsage } from './usage.js';

const usage: CommandUsage = { name: '-getAllServiceState', args: undefined, help: 'Returns the state of all the services' };

/** Java's %-Ns: left-justify, pad with spaces to at least `width`. */
export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export const getAllServiceState: HaAdminCommand = {
  usage,
  options: [],
  async run(ctx) {
    // Parity: HAAdmin.getAllServiceState ignores extra arguments.
    const ids = await ctx.targetIds();
    if (ids.length === 0) {
      ctx.io.err('Failed to get service IDs');
      return FAILED;
    }
    for (const id of ids) {
      const target = await ctx.resolveTarget(id);
      const address = `${await ctx.naming.hostName(target.address.host)}:${target.address.port}`;
      try {
        const status = await ctx.client(target.address).getServiceStatus(ctx.timeouts.cliCheckMs);
        ctx.io.out(`${padRight(address, 50)} ${padRight(status.state.toLowerCase(), 10)}`);
      } catch (error) {
        // Parity: only IOExceptions are caught per node; anything else aborts the command.
        if (!(error instanceof RemoteError || error instanceof RpcTransportError)) throw error;
        ctx.io.out(`${padRight(address, 50)} ${padRight(`Failed to connect: ${error.message}`, 10)}`);
      }
    }
    return OK;
  },
};
