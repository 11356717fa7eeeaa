// haadmin -getServiceState <serviceId> [--json]: prints the NameNode's state in lower case
// (active, standby, observer, initializing). Parity: HAAdmin.getServiceState, with the
// ha.failover-controller.cli-check.rpc-timeout.ms call timeout. --json (not in Hadoop) prints
// {"serviceId", "address", "state", "readyToBecomeActive", "notReadyReason"} instead.

import { incorrectArgumentCount, OK, type HaAdminCommand } from './command.js';
import { printJson } from './json-output.js';
import { commandUsageLine, type CommandUsage } from './usage.js';
import { formatHostPort } from './zkfc-status-client.js';

const usage: CommandUsage = { name: '-getServiceState', args: '<serviceId>', help: 'Returns the state of the service' };

export const getServiceState: HaAdminCommand = {
  usage,
  options: ['json'],
  async run(ctx, line) {
    const [id] = line.args;
    if (line.args.length !== 1 || id === undefined) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    const target = await ctx.resolveTarget(id);
    const status = await ctx.client(target.address).getServiceStatus(ctx.timeouts.cliCheckMs);
    if (line.options.has('json')) {
      printJson(ctx.io, {
        serviceId: id,
        address: formatHostPort(target.address),
        state: status.state.toLowerCase(),
        readyToBecomeActive: status.readyToBecomeActive ?? null,
        notReadyReason: status.notReadyReason ?? null,
      });
    } else {
      ctx.io.out(status.state.toLowerCase());
    }
    return OK;
  },
};
