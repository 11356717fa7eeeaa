// haadmin -failover [--forcefence] [--forceactive] [--forcemanual] <from> <to>, and (not in
// Hadoop) -failover --dry-run [--json] <from> <to>: the checks only (failover-dry-run.ts).
// Parity: DFSHAAdmin.failover (Hadoop 3.3):
// - both NameNodes must agree on automatic failover (else Java's uncaught IllegalStateException,
//   exit 1; with one nameservice they always agree, as the key is per nameservice);
// - automatic failover on: --forcefence / --forceactive are refused; otherwise gracefulFailover()
//   on <to>'s ZKFC (its service host, its dfs.ha.zkfc.port; RPC timeout
//   ha.failover-controller.new-active.rpc-timeout.ms): "Failover to <NameNode at ...> successful",
//   or "Failover failed: <msg>" for a ServiceFailedException; other errors reach the runner
//   ("Operation failed: ..."). <from> is not used;
// - automatic failover off: ManualFailover (manual-failover.ts, Hadoop's FailoverController) with <from>'s fencer in
//   the two-target form: "Failover from <from> to <to> successful" or "Failover failed: <msg>".

import { isIP } from 'node:net';
import { FENCING_METHODS_KEY, parseFenceMethods } from '../../core/fencing/fence-spec.js';
import type { HostPort } from '../../core/types.js';
import { confForNamenode } from '../../config/topology.js';
import { parsePrivateKeyFiles } from '../../fencing/fencing-config.js';
import { resolveHostBestEffort } from '../../fencing/target-address.js';
import { uncaughtIllegalStateLine } from '../../hadoop/ha-errors.js';
import { HaCallError } from '../../runtime/ports.js';
import { cliClock } from './cli-clock.js';
import { FAILED, OK, type HaAdminCommand } from './command.js';
import { consolePinoLogger } from './console-log.js';
import type { HaAdminContext, HaTarget } from './context.js';
import { runFailoverDryRun } from './failover-dry-run.js';
import { FailoverFailedError, ManualFailover, type FailoverNode } from './manual-failover.js';
import { runShellCommand } from './shell-command.js';
import { TwoTargetFencer, type TransitionTargetState } from './two-target-fencer.js';
import { commandUsageLine, type CommandUsage } from './usage.js';

const usage: CommandUsage = {
  name: '-failover',
  args: '[--forcefence] [--forceactive] <serviceId> <serviceId>',
  help:
    'Failover from the first service to the second.\n' +
    'Unconditionally fence services if the --forcefence option is used.\n' +
    'Try to failover to the target service even if it is not ready if the --forceactive option is used.',
};

export const failover: HaAdminCommand = {
  usage,
  options: ['forcefence', 'forceactive', 'forcemanual', 'dry-run', 'json'],
  async run(ctx, line) {
    const forceFence = line.options.has('forcefence');
    const forceActive = line.options.has('forceactive');
    const dryRun = line.options.has('dry-run');
    const [fromId, toId] = line.args;
    if (
      line.optionCount > 3 ||
      line.args.length !== 2 ||
      fromId === undefined ||
      toId === undefined ||
      (line.options.has('json') && !dryRun) ||
      (dryRun && (forceFence || forceActive || line.options.has('forcemanual')))
    ) {
      ctx.io.err('failover: incorrect arguments');
      ctx.io.err(commandUsageLine(usage));
      return FAILED;
    }
    // Not in Hadoop: every check of the graceful failover, nothing done (failover-dry-run.ts).
    if (dryRun) return runFailoverDryRun(ctx, fromId, toId, line.options.has('json'));
    const fromTarget = await ctx.resolveTarget(fromId);
    const toTarget = await ctx.resolveTarget(toId);

    if (fromTarget.autoFailoverEnabled !== toTarget.autoFailoverEnabled) {
      // Parity: Preconditions.checkState → an IllegalStateException nobody catches; the JVM exits 1.
      ctx.io.err(
        uncaughtIllegalStateLine(
          `Inconsistent auto-failover configs between ${fromTarget.description} and ${toTarget.description}!`,
        ),
      );
      return 1;
    }

    if (fromTarget.autoFailoverEnabled) {
      if (forceFence || forceActive) {
        // --forceactive makes no sense with automatic failover (an unhealthy node's ZKFC quits
        // the election at its next health check); --forcefence has no use there.
        ctx.io.err('forcefence and forceactive flags not supported with auto-failover enabled.');
        return FAILED;
      }
      return gracefulFailoverThroughZkfc(ctx, toTarget);
    }

    if (ctx.service === 'resourcemanager') {
      // Hadoop has no fencer for ResourceManagers (RMHAServiceTarget.checkFencingConfigured throws).
      ctx.io.err(
        'Illegal argument: failover of ResourceManagers needs automatic failover with zkfc ' +
          '(yarn.resourcemanager.ha.automatic-failover.enabled=true): a manual failover has no fencer',
      );
      return FAILED;
    }
    const manual = new ManualFailover({
      clients: ctx.clients,
      requestSource: ctx.requestSource,
      timeouts: {
        newActiveRpcMs: ctx.timeouts.transitionMs,
        gracefulFenceRpcMs: ctx.settings.failover.gracefulFenceRpcTimeoutMs,
        gracefulFenceConnectionRetries: ctx.settings.failover.gracefulFenceConnectionRetries,
        connectRetryIntervalMs: ctx.conf.getInt('ipc.client.connect.retry.interval', 1_000),
      },
      log: ctx.console,
      sameAddress,
    });
    try {
      await manual.failover(
        failoverNode(ctx, fromTarget, 'STANDBY'),
        failoverNode(ctx, toTarget, 'ACTIVE'),
        forceFence,
        forceActive,
      );
    } catch (error) {
      if (!(error instanceof FailoverFailedError)) throw error;
      ctx.io.err(`Failover failed: ${error.message}`);
      return FAILED;
    }
    ctx.io.out(`Failover from ${fromId} to ${toId} successful`);
    return OK;
  },
};

/** Parity: HAAdmin.gracefulFailoverThroughZKFCs. */
async function gracefulFailoverThroughZkfc(ctx: HaAdminContext, toTarget: HaTarget): Promise<number> {
  const client = ctx.zkfcClient({ host: toTarget.address.host, port: toTarget.zkfcPort });
  try {
    await client.gracefulFailover(ctx.timeouts.transitionMs);
  } catch (error) {
    // ServiceFailedException from the ZKFC: it could not do the failover and said why.
    if (error instanceof HaCallError && error.kind === 'refused') {
      ctx.io.err(`Failover failed: ${error.message}`);
      return FAILED;
    }
    throw error;
  }
  // Java prints the target's InetSocketAddress after the RPC layer has resolved its host name,
  // so an IP literal shows as "localhost/127.0.0.1:port" here (seen with Hadoop 3.4.2's DFSHAAdmin).
  const { host, port } = toTarget.address;
  const shown =
    ctx.service === 'resourcemanager'
      ? toTarget.description
      : isIP(host) === 0
        ? toTarget.description
        : `NameNode at ${await ctx.naming.hostName(host)}/${host}:${port}`;
  ctx.io.out(`Failover to ${shown} successful`);
  return OK;
}

/**
 * One side of a manual failover with its fencer (Parity: NNHAServiceTarget: the fencer comes
 * from dfs.ha.fencing.methods as this NameNode sees the configuration; an unusable value means
 * "no fencer").
 */
function failoverNode(
  ctx: HaAdminContext,
  target: HaTarget,
  transitionTargetState: TransitionTargetState,
): FailoverNode {
  const base = {
    nameserviceId: target.nameserviceId,
    namenodeId: target.namenodeId,
    address: target.address,
    description: target.description,
    transitionTargetState,
  };
  const targetConf = confForNamenode(ctx.conf, target.nameserviceId, target.namenodeId);
  const value = targetConf.get(FENCING_METHODS_KEY);
  if (value === undefined)
    return { ...base, fencer: undefined, fencerProblem: `${FENCING_METHODS_KEY} is not set for ${target.description}` };
  const parsed = parseFenceMethods(value);
  if (!parsed.ok)
    return {
      ...base,
      fencer: undefined,
      fencerProblem: `${FENCING_METHODS_KEY} for ${target.description}: ${parsed.error.message}`,
    };
  const fencer = new TwoTargetFencer({
    methods: parsed.methods,
    conf: targetConf.entries(),
    baseEnv: ctx.processEnv,
    // The daemon's typed settings (src/config/schema.ts: no per-NameNode suffixes for these keys).
    shellTimeoutMs: ctx.settings.fencing.shellTimeoutMs,
    ssh: {
      privateKeyFiles: parsePrivateKeyFiles(ctx.settings.fencing.sshPrivateKeyFiles ?? undefined),
      connectTimeoutMs: ctx.settings.fencing.sshConnectTimeoutMs,
      commandTimeoutMs: ctx.settings.fencing.sshCommandTimeoutMs,
    },
    log: ctx.console,
    sshLogger: consolePinoLogger('ha.SshFenceByTcpPort', (line) => ctx.io.err(line)),
    clock: cliClock,
    runShell: runShellCommand,
  });
  return { ...base, fencer };
}

/** InetSocketAddress.equals: same port and same resolved IP (or the same host name when unresolved). */
async function sameAddress(a: HostPort, b: HostPort): Promise<boolean> {
  if (a.port !== b.port) return false;
  const [ipA, ipB] = await Promise.all([
    resolveHostBestEffort(a.host, 2_000, cliClock),
    resolveHostBestEffort(b.host, 2_000, cliClock),
  ]);
  if (ipA !== undefined && ipB !== undefined) return ipA === ipB;
  return ipA === undefined && ipB === undefined && a.host.toLowerCase() === b.host.toLowerCase();
}
