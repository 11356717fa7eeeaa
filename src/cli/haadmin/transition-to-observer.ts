// haadmin -transitionToObserver [--forcemanual] <serviceId>. Parity: DFSHAAdmin.transitionToObserver
// (a NameNode always supports the observer state): the manual-management check on the target,
// then transitionToObserver with the request source.

import { incorrectArgumentCount, FAILED, OK, type HaAdminCommand } from './command.js';
import { commandUsageLine, type CommandUsage } from './usage.js';

const usage: CommandUsage = {
  name: '-transitionToObserver',
  args: '<serviceId>',
  help: 'Transitions the service into Observer state',
};

export const transitionToObserver: HaAdminCommand = {
  usage,
  options: ['forcemanual'],
  async run(ctx, line) {
    const [id] = line.args;
    if (line.args.length !== 1 || id === undefined) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    const target = await ctx.resolveTarget(id);
    if (!ctx.checkManualStateManagementOK(target)) return FAILED;
    await ctx.client(target.address).transitionToObserver(ctx.requestSource, ctx.timeouts.transitionMs);
    return OK;
  },
};
