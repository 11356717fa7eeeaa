// haadmin -transitionToActive [--forceactive] [--forcemanual] <serviceId>. Parity:
// HAAdmin.transitionToActive / isOtherTargetNodeActive: unless --forceactive, every other
// NameNode of the nameservice must pass the manual-management check and answer getServiceStatus
// (5 s) with a state other than active; then the manual-management check on the target and
// transitionToActive with the request source.

import { incorrectArgumentCount, FAILED, OK, type HaAdminCommand } from './command.js';
import type { HaAdminContext } from './context.js';
import { commandUsageLine, type CommandUsage } from './usage.js';
import { errorMessage } from '../../errors.js';

const usage: CommandUsage = {
  name: '-transitionToActive',
  args: '[--forceactive] <serviceId>',
  help: 'Transitions the service into Active state',
};

export const transitionToActive: HaAdminCommand = {
  usage,
  options: ['forceactive', 'forcemanual'],
  async run(ctx, line) {
    const [id] = line.args;
    if (line.args.length !== 1 || id === undefined) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    if (!line.options.has('forceactive') && (await isOtherTargetNodeActive(ctx, id))) return FAILED;
    const target = await ctx.resolveTarget(id);
    if (!ctx.checkManualStateManagementOK(target)) return FAILED;
    await ctx.client(target.address).transitionToActive(ctx.requestSource, ctx.timeouts.transitionMs);
    return OK;
  },
};

/** True when another NameNode is active, refuses manual management, or cannot be asked. */
async function isOtherTargetNodeActive(ctx: HaAdminContext, targetId: string): Promise<boolean> {
  const others = (await ctx.targetIds()).filter((id) => id !== targetId);
  for (const otherId of others) {
    const other = await ctx.resolveTarget(otherId);
    if (!ctx.checkManualStateManagementOK(other)) return true;
    try {
      const status = await ctx.client(other.address).getServiceStatus(ctx.timeouts.otherNodeCheckMs);
      if (status.state === 'ACTIVE') {
        ctx.io.err(`transitionToActive: Node ${otherId} is already active`);
        ctx.io.err(commandUsageLine(usage));
        return true;
      }
    } catch (error) {
      // Parity: any exception here (Hadoop prints two spaces after "occurred").
      ctx.io.err(`Unexpected error occurred  ${errorMessage(error)}`);
      ctx.io.err(commandUsageLine(usage));
      return true;
    }
  }
  return false;
}
