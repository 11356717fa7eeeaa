// haadmin -status [--json] (also `haadmin status`; not in Hadoop): one report on the whole
// nameservice — each NameNode's HA state (getServiceStatus), its health as its zkfc sees it,
// whether it holds the ZooKeeper lock, the breadcrumb, fencing readiness per method and the last
// failover — from cluster-status.ts, rendered by status-table.ts or as JSON. Exit codes: see
// cluster-status.ts (0 ok, 1 degraded, 2 no active, 3 several active; 255 for bad arguments or
// configuration).

import { resolveNameserviceId } from '../../config/topology.js';
import { getRmClusterId } from '../../config/yarn-topology.js';
import { incorrectArgumentCount, type HaAdminCommand } from './command.js';
import {
  clusterStatusEndpoints,
  clusterStatusExitCode,
  collectClusterStatus,
  resourceManagerStatusEndpoints,
} from './cluster-status.js';
import { printJson } from './json-output.js';
import { renderStatusTable } from './status-table.js';
import { commandUsageLine, type CommandUsage } from './usage.js';

const usage: CommandUsage = {
  name: '-status',
  args: '[--json]',
  help:
    'Shows every NameNode of the nameservice: HA state, health as its zkfc sees it,\n' +
    'who holds the ZooKeeper lock, the breadcrumb, fencing readiness and the last failover.\n' +
    'Not in Hadoop; also accepted as "status". Each zkfc is asked at zkfc.http-address.\n' +
    'Exit code 0: one active NameNode and every NameNode and zkfc answered; 1: one active,\n' +
    'but some part did not answer; 2: no active NameNode; 3: more than one active NameNode.',
};

export const status: HaAdminCommand = {
  usage,
  options: ['json'],
  async run(ctx, line) {
    if (line.args.length !== 0) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    // Throws Hadoop's "Unable to determine the name service ID..." when none can be chosen.
    const nameserviceId =
      (await ctx.currentNameserviceId()) ??
      (ctx.service === 'resourcemanager' ? getRmClusterId(ctx.conf) : resolveNameserviceId(ctx.conf, undefined));
    const result = await collectClusterStatus({
      nameserviceId,
      namenodes:
        ctx.service === 'resourcemanager'
          ? resourceManagerStatusEndpoints(ctx.conf)
          : clusterStatusEndpoints(ctx.conf, nameserviceId),
      clients: ctx.clients,
      fetchZkfcStatus: ctx.fetchZkfcStatus,
    });
    if (line.options.has('json')) printJson(ctx.io, result);
    else for (const text of renderStatusTable(result)) ctx.io.out(text);
    return clusterStatusExitCode(result.verdict);
  },
};
