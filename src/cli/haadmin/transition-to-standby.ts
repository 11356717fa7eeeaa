// haadmin -transitionToStandby [--forcemanual] <serviceId>. Parity: HAAdmin.transitionToStandby:
// the manual-management check on the target, then transitionToStandby with REQUEST_BY_USER (or
// REQUEST_BY_USER_FORCED after a confirmed --forcemanual).

import { incorrectArgumentCount, FAILED, OK, type HaAdminCommand } from './command.js';
import { commandUsageLine, type CommandUsage } from './usage.js';

const usage: CommandUsage = {
  name: '-transitionToStandby',
  args: '<serviceId>',
  help: 'Transitions the service into Standby state',
};

export const transitionToStandby: HaAdminCommand = {
  usage,
  options: ['forcemanual'],
  async run(ctx, line) {
    const [id] = line.args;
    if (line.args.length !== 1 || id === undefined) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    const target = await ctx.resolveTarget(id);
    if (!ctx.checkManualStateManagementOK(target)) return FAILED;
    await ctx.client(target.address).transitionToStandby(ctx.requestSource, ctx.timeouts.transitionMs);
    return OK;
  },
};
