// haadmin -checkHealth <serviceId> [--json]: asks the NameNode to run its health check
// (monitorHealth). Exit 0 when healthy; "Health check failed: <msg>" and -1 when the NameNode
// says unhealthy; other failures are "Operation failed" (from the runner). Parity:
// HAAdmin.checkHealth. --json (not in Hadoop) also prints {"serviceId", "address", "healthy",
// "reason"} on stdout for both outcomes.

import { HaCallError } from '../../runtime/ports.js';
import { FAILED, incorrectArgumentCount, OK, type HaAdminCommand } from './command.js';
import { printJson } from './json-output.js';
import { commandUsageLine, type CommandUsage } from './usage.js';
import { formatHostPort } from './zkfc-status-client.js';

const usage: CommandUsage = {
  name: '-checkHealth',
  args: '<serviceId>',
  help:
    'Requests that the service perform a health check.\nThe HAAdmin ' +
    'tool will exit with a non-zero exit code\nif the check fails.',
};

export const checkHealth: HaAdminCommand = {
  usage,
  options: ['json'],
  async run(ctx, line) {
    const [id] = line.args;
    if (line.args.length !== 1 || id === undefined) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    const target = await ctx.resolveTarget(id);
    const json = line.options.has('json');
    const report = (healthy: boolean, reason: string | null): void => {
      if (json) printJson(ctx.io, { serviceId: id, address: formatHostPort(target.address), healthy, reason });
    };
    try {
      await ctx.client(target.address).monitorHealth(ctx.timeouts.cliCheckMs);
    } catch (error) {
      if (error instanceof HaCallError && error.kind === 'unhealthy') {
        report(false, error.message);
        ctx.io.err(`Health check failed: ${error.message}`);
        return FAILED;
      }
      throw error;
    }
    report(true, null);
    return OK;
  },
};
