// haadmin -getServiceState <serviceId>: prints the NameNode's state in lower case (active,
// standby, observer, initializing). Parity: HAAdmin.getServiceState, with the
// ha.failover-controller.cli-check.rpc-timeout.ms call timeout.

import { incorrectArgumentCount, OK, type HaAdminCommand } from './command.js';
import { commandUsageLine, type CommandUsage } from './usage.js';

const usage: CommandUsage = { name: '-getServiceState', args: '<serviceId>', help: 'Returns the state of the service' };

export const getServiceState: HaAdminCommand = {
  usage,
  options: [],
  async run(ctx, line) {
    const [id] = line.args;
    if (line.args.length !== 1 || id === undefined) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    const target = await ctx.resolveTarget(id);
    const status = await ctx.client(target.address).getServiceStatus(ctx.timeouts.cliCheckMs);
    ctx.io.out(status.state.toLowerCase());
    return OK;
  },
};
