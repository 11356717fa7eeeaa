// The `zkfc` daemon: Hadoop's ZKFC start-up sequence and exit codes (docs/hadoop-compat.md §7.1), then the wiring
// of every part: FailoverController (elector + health monitor + controller) on the ZooKeeper
// adapter, the Hadoop IPC clients and the fencer; the ZKFCProtocol server; the read-only status
// listener with metrics; the fencing preflight; systemd readiness; SIGTERM handling.
// This file is the composition root: the only place that knows every concrete part.

import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Logger } from 'pino';
import { describeConfig, loadZkfcConfig, type ZkfcConfig } from '../config/load.js';
import { ConfigError, ExitCode, errorMessage } from '../errors.js';
import { BadFencingConfigurationError } from '../fencing/errors.js';
import { checkFencingConfigured, describeTarget, parsePrivateKeyFiles } from '../fencing/fencing-config.js';
import { NodeFencer, type FencingTargetConfig } from '../fencing/node-fencer.js';
import { FencingPreflight } from '../fencing/preflight.js';
import { encodeActiveNodeInfo } from '../hadoop/active-node-info.js';
import { RpcHAServiceClientFactory } from '../hadoop/ha-service-client.js';
import { javaHostName, withHostAliases } from '../hadoop/java-hostname.js';
import { RpcZkfcClientFactory } from '../hadoop/zkfc-client.js';
import { ZkfcRpcServer, zkfcBindHost } from '../hadoop/zkfc-rpc-server.js';
import { StatusServer } from '../http/status-server.js';
import { createLogger } from '../observability/logger.js';
import { ZkfcMetrics } from '../observability/metrics.js';
import { StatusBoard } from '../observability/status.js';
import { ControllerExitedError } from '../runtime/errors.js';
import { FailoverController } from '../runtime/failover-controller.js';
import type { ControllerRecord } from '../runtime/records.js';
import { ReadinessGate, sdNotifierFromEnv } from '../runtime/sd-notify.js';
import { SystemClock } from '../runtime/system-clock.js';
import type { ZkAcl, ZkAuthInfo, ZkSessionOptions } from '../runtime/ports.js';
import { electorPaths } from '../zookeeper/paths.js';
import { NodeZkSessionFactory } from '../zookeeper/node-zk-session.js';
import { parentZNodeExists } from '../zookeeper/parent-znode.js';
import { zkAclFromConfig, zkAuthFromConfig } from '../zookeeper/acl.js';
import { BadArgumentError, parseZkfcArgs, USAGE, type ZkfcArgs } from './args.js';
import { formatZk } from './format-zk.js';
import { connectOnce, ZkUnavailableError } from './zk-connect.js';

export interface DaemonIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Answers a Y/N question (ToolRunner.confirmPrompt); false on end of input. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGTERM / SIGINT). */
  readonly stopSignal: Promise<string>;
  readonly logger?: Logger;
}

export const VERSION: string = readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Run `zkfc` with these arguments; resolves to the process exit code. */
export async function runZkfc(argv: readonly string[], io: DaemonIo): Promise<number> {
  let args: ZkfcArgs;
  try {
    args = parseZkfcArgs(argv);
  } catch (error) {
    if (!(error instanceof BadArgumentError)) throw error;
    io.stderr(`${error.message}\n${USAGE}`);
    return ExitCode.FATAL;
  }
  if (args.command.kind === 'help') {
    io.stdout(USAGE);
    return ExitCode.OK;
  }

  let config: ZkfcConfig;
  try {
    config = await loadZkfcConfig({
      ...(args.hadoopConfDir !== undefined ? { hadoopConfDir: args.hadoopConfDir } : {}),
      ...(args.configFile !== undefined ? { configFile: args.configFile } : {}),
      defines: args.defines,
      env: io.env,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`zkfc: ${error.message}${error.key !== undefined ? ` [key: ${error.key}]` : ''}\n`);
    return error.exitCode;
  }

  const logger = (io.logger ?? createLogger({ level: config.get<string>('zkfc.log.level') })).child({
    nameservice: config.nameserviceId,
    namenode: config.namenodeId,
  });
  const log = logger.child({ component: 'zkfc' });
  // What Hadoop logs while loading the configuration: deprecated key names, ignored overrides of final keys.
  const confLog = logger.child({ component: 'conf' });
  for (const warning of config.hadoopConf.warnings()) confLog.warn({ key: warning.key, kind: warning.kind }, warning.message);

  if (args.command.kind === 'checkConfig') return checkConfig(config, io);

  // Step 3: automatic failover must be on (ERR_CODE_AUTO_FAILOVER_NOT_ENABLED).
  if (!config.automaticFailoverEnabled) {
    const message = `Automatic failover is not enabled for ${describeTarget(config.local)}. Please ensure that automatic failover is enabled in the configuration (dfs.ha.automatic-failover.enabled) before running the ZK failover controller.`;
    log.error({ key: 'dfs.ha.automatic-failover.enabled' }, message);
    io.stderr(`zkfc: ${message}\n`);
    return ExitCode.AUTO_FAILOVER_NOT_ENABLED;
  }

  // Step 5: ACL, auth, quorum, then connect once ("fail fast").
  let acl: readonly ZkAcl[];
  let authInfo: ZkAuthInfo[];
  try {
    acl = zkAclFromConfig(config.get<string>('ha.zookeeper.acl'));
    authInfo = zkAuthFromConfig(config.get<string | null>('ha.zookeeper.auth') ?? undefined);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`zkfc: ${error.message}\n`);
    return error.exitCode;
  }
  const quorum = config.get<string>('ha.zookeeper.quorum');
  if (quorum.trim() === '') {
    io.stderr("zkfc: Missing required configuration 'ha.zookeeper.quorum' for ZooKeeper quorum\n");
    return ExitCode.CONFIG;
  }
  const sessionTimeoutMs = config.get<number>('ha.zookeeper.session-timeout.ms');
  const operationTimeoutMs = config.get<number>('zkfc.zookeeper.operation-timeout.ms') || sessionTimeoutMs;
  const zkOptions: ZkSessionOptions = { connectString: quorum, sessionTimeoutMs, authInfo, operationTimeoutMs };
  const clock = new SystemClock();
  const zkFactory = new NodeZkSessionFactory({ clock, logger });
  const paths = electorPaths(config.get<string>('ha.zookeeper.parent-znode'), config.nameserviceId);
  const retryCountMax = config.get<number>('ha.failover-controller.active-standby-elector.zk.op.retries');

  let setupSession;
  try {
    setupSession = await connectOnce(zkFactory, zkOptions);
  } catch (error) {
    if (!(error instanceof ZkUnavailableError) && !(error instanceof ConfigError)) throw error;
    log.fatal({ err: error, quorum }, 'Unable to connect to ZooKeeper');
    io.stderr(`zkfc: ${error.message}\n`);
    return error.exitCode;
  }
  try {
    // Step 6: -formatZK.
    if (args.command.kind === 'formatZK') {
      return await formatZk({
        session: setupSession,
        workingDir: paths.workingDir,
        acl,
        force: args.command.force,
        interactive: args.command.interactive,
        retryCountMax,
        logger: log,
        confirm: io.confirm,
        stderr: io.stderr,
      });
    }
    // Step 7: the working znode must exist (ERR_CODE_NO_PARENT_ZNODE).
    if (!(await parentZNodeExists(setupSession, paths.workingDir, { retryCountMax, logger }))) {
      const message = `Unable to start failover controller. Parent znode ${paths.workingDir} does not exist.\nRun with -formatZK flag to initialize ZooKeeper.`;
      log.fatal({ znode: paths.workingDir }, 'Unable to start failover controller. Parent znode does not exist.');
      io.stderr(`zkfc: ${message}\n`);
      return ExitCode.NO_PARENT_ZNODE;
    }
  } catch (error) {
    log.fatal({ err: error }, 'ZooKeeper set-up failed');
    io.stderr(`zkfc: ${errorMessage(error)}\n`);
    return ExitCode.FATAL;
  } finally {
    await setupSession.close();
  }

  // Step 8: fencing must be configured for the local target (ERR_CODE_NO_FENCER).
  try {
    checkFencingConfigured(config.get<string | null>('dfs.ha.fencing.methods') ?? undefined, config.local);
    for (const peer of config.peers) checkFencingConfigured(config.getForNamenode('dfs.ha.fencing.methods', peer.namenodeId), peer);
  } catch (error) {
    if (!(error instanceof BadFencingConfigurationError)) throw error;
    log.fatal({ key: error.key }, error.message);
    io.stderr(`zkfc: ${error.message}\n`);
    return error.exitCode;
  }

  return runDaemon(config, { logger, io, clock, zkFactory, zkOptions, acl, retryCountMax });
}

interface RunContext {
  readonly logger: Logger;
  readonly io: DaemonIo;
  readonly clock: SystemClock;
  readonly zkFactory: NodeZkSessionFactory;
  readonly zkOptions: ZkSessionOptions;
  readonly acl: readonly ZkAcl[];
  readonly retryCountMax: number;
}

/** Step 9: start the RPC server, status listener, preflight and the controller; run until stopped. */
async function runDaemon(config: ZkfcConfig, ctx: RunContext): Promise<number> {
  const { logger, io, clock } = ctx;
  const log = logger.child({ component: 'zkfc' });
  const loginUser = io.env['HADOOP_USER_NAME'] ?? safeUserName();
  const connectTimeoutMs = config.get<number>('ipc.client.connect.timeout');
  const haFactory = new RpcHAServiceClientFactory({ effectiveUser: loginUser, connectTimeoutMs, logger });
  const zkfcClients = new RpcZkfcClientFactory({ effectiveUser: loginUser, connectTimeoutMs, logger });

  const fencingTargets: FencingTargetConfig[] = config.peers.map((peer) => ({
    target: peer,
    fencingMethods: config.getForNamenode('dfs.ha.fencing.methods', peer.namenodeId),
    conf: config.confForNamenode(peer.namenodeId),
  }));
  const ssh = {
    privateKeyFiles: parsePrivateKeyFiles(config.get<string | null>('dfs.ha.fencing.ssh.private-key-files') ?? undefined),
    connectTimeoutMs: config.get<number>('dfs.ha.fencing.ssh.connect-timeout'),
    commandTimeoutMs: config.get<number>('zkfc.fencing.ssh.command-timeout.ms'),
  };
  const localMethods = (config.get<string | null>('dfs.ha.fencing.methods') ?? '').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
  const metrics = new ZkfcMetrics({ version: VERSION, nameservice: config.nameserviceId, namenode: config.namenodeId, fencingMethods: localMethods });
  const fencer = new NodeFencer({
    targets: fencingTargets,
    haServiceClientFactory: haFactory,
    clock,
    logger: logger.child({ component: 'fencer' }),
    gracefulFence: {
      rpcTimeoutMs: config.get<number>('ha.failover-controller.graceful-fence.rpc-timeout.ms'),
      connectionRetries: config.get<number>('ha.failover-controller.graceful-fence.connection.retries'),
      // Hadoop waits ipc.client.connect.retry.interval (1 s) before retrying a refused connect. A
      // refused connect means no NameNode listens there; the fencing methods decide right after,
      // so waiting only delays the failover without making it safer.
      retryIntervalMs: 10,
    },
    ssh,
    shell: { timeoutMs: config.get<number>('zkfc.fencing.shell.timeout.ms') },
  });

  // The ZKFC RPC server binds first: its port goes into our ActiveNodeInfo (zkfcPort).
  const rpcView = config.confForNamenode(config.namenodeId);
  const bindHost = zkfcBindHost(rpcView.get('dfs.namenode.servicerpc-bind-host'), rpcView.get('dfs.namenode.rpc-bind-host'), config.local.serviceAddress.host);
  let controller: FailoverController | undefined;
  const rpcServer = new ZkfcRpcServer({
    host: bindHost,
    port: config.get<number>('dfs.ha.zkfc.port'),
    administrators: config.get<string>('dfs.cluster.administrators'),
    loginUser,
    logger,
    handler: {
      cedeActive: async (millis, caller) => {
        if (controller === undefined) throw new Error('ZK Failover Controller is starting');
        await controller.cedeActive(millis, caller);
      },
      gracefulFailover: async (caller) => {
        if (controller === undefined) throw new Error('ZK Failover Controller is starting');
        log.info({ caller }, 'gracefulFailover requested');
        await controller.gracefulFailover();
      },
    },
  });
  let rpcAddress;
  try {
    rpcAddress = await rpcServer.listen();
  } catch (error) {
    log.fatal({ err: error, host: bindHost, port: config.get('dfs.ha.zkfc.port') }, 'cannot bind the ZKFC RPC server');
    io.stderr(`zkfc: cannot bind the ZKFC RPC server on ${bindHost}:${config.get('dfs.ha.zkfc.port')} (dfs.ha.zkfc.port): ${errorMessage(error)}\n`);
    return ExitCode.FATAL;
  }
  // Resolve once: aliases let breadcrumbs written by Java ZKFCs match our configuration, and our
  // own ActiveNodeInfo carries the host name Java would write (bytes identical to a Java ZKFC's).
  const [localWithAliases, ...peers] = await withHostAliases([config.local, ...config.peers]);
  const local = { ...localWithAliases!, zkfcPort: rpcAddress.port };
  const appData = encodeActiveNodeInfo({
    nameserviceId: local.nameserviceId,
    namenodeId: local.namenodeId,
    hostname: await javaHostName(local.serviceAddress.host),
    port: local.serviceAddress.port,
    zkfcPort: local.zkfcPort,
  });

  const status = new StatusBoard(
    { nameservice: config.nameserviceId, namenode: config.namenodeId, namenodeAddress: `${local.serviceAddress.host}:${local.serviceAddress.port}`, version: VERSION },
    clock,
  );
  const [httpHost, httpPortText] = splitHostPort(config.get<string>('zkfc.http-address'));
  const statusServer = new StatusServer({ host: httpHost, port: Number(httpPortText), metrics, status, logger });
  try {
    await statusServer.listen();
  } catch (error) {
    await rpcServer.close();
    log.fatal({ err: error }, 'cannot bind the status listener');
    io.stderr(`zkfc: cannot bind the status listener on ${config.get('zkfc.http-address')} (zkfc.http-address): ${errorMessage(error)}\n`);
    return ExitCode.FATAL;
  }

  const notifier = sdNotifierFromEnv(io.env, logger.child({ component: 'systemd' }), { unsetEnvironment: true });
  const readiness = new ReadinessGate(['zkConnected', 'firstHealthCheck'] as const, () => {
    void notifier.ready('ZooKeeper connected, first health check done');
    log.info({}, 'zkfc ready: ZooKeeper connected and first health check done');
  });

  controller = new FailoverController({
    local,
    peers,
    appData,
    zk: {
      connectString: ctx.zkOptions.connectString,
      sessionTimeoutMs: ctx.zkOptions.sessionTimeoutMs,
      parentZnode: config.get<string>('ha.zookeeper.parent-znode'),
      acl: ctx.acl,
      authInfo: ctx.zkOptions.authInfo,
      opRetries: ctx.retryCountMax,
      operationTimeoutMs: ctx.zkOptions.operationTimeoutMs,
    },
    timing: {
      healthCheckIntervalMs: config.get<number>('ha.health-monitor.check-interval.ms'),
      healthConnectRetryIntervalMs: config.get<number>('ha.health-monitor.connect-retry-interval.ms'),
      healthRpcTimeoutMs: config.get<number>('ha.health-monitor.rpc-timeout.ms'),
      healthSleepAfterDisconnectMs: config.get<number>('ha.health-monitor.sleep-after-disconnect.ms'),
      healthConnectTimeoutMs: connectTimeoutMs,
      gracefulFenceTimeoutMs: config.get<number>('ha.failover-controller.graceful-fence.rpc-timeout.ms'),
      newActiveRpcTimeoutMs: config.get<number>('ha.failover-controller.new-active.rpc-timeout.ms'),
    },
    ports: { clock, zk: ctx.zkFactory, haService: haFactory, fencer, zkfcClients },
    // The elector's, health monitor's and controller's decisions (the core's notes).
    logger: logger.child({ component: 'controller' }),
  });
  controller.onEvent((record) => applyRecord(record, metrics, status, readiness));

  const preflightIntervalMs = config.get<number>('zkfc.fencing.preflight.interval.ms');
  const preflight = preflightIntervalMs > 0 ? new FencingPreflight({ targets: fencingTargets, ssh, intervalMs: preflightIntervalMs, clock, logger: logger.child({ component: 'preflight' }) }) : undefined;
  if (preflight !== undefined) {
    preflight.onChange((readinessList) => {
      status.setFencingReadiness(readinessList);
      metrics.setFencingReadiness(readinessList);
    });
    preflight.start();
  }

  const shutdown = async (): Promise<void> => {
    void notifier.stopping();
    preflight?.stop();
    await rpcServer.close();
    await controller!.stop();
    await statusServer.close();
    await notifier.flush();
  };

  try {
    await Promise.race([controller.start(), io.stopSignal.then(() => undefined)]);
  } catch (error) {
    await shutdown();
    const code = error instanceof ControllerExitedError ? error.exitCode : ExitCode.FATAL;
    log.fatal({ err: error, exitCode: code }, 'ZK Failover Controller failed to start');
    io.stderr(`zkfc: ${errorMessage(error)}\n`);
    return code;
  }
  log.info(
    { rpc: `${rpcAddress.host}:${rpcAddress.port}`, http: config.get('zkfc.http-address'), local: `${local.serviceAddress.host}:${local.serviceAddress.port}` },
    'zkfc started',
  );

  const outcome = await Promise.race([
    io.stopSignal.then((signal) => ({ kind: 'signal' as const, signal })),
    controller.exited.then((exit) => ({ kind: 'exit' as const, exit })),
  ]);
  await shutdown();
  if (outcome.kind === 'signal') {
    log.info({ signal: outcome.signal }, 'zkfc stopped');
    return ExitCode.OK;
  }
  const failure = controllerFailedMessage(outcome.exit.message);
  log.fatal({ exitCode: outcome.exit.exitCode }, failure);
  io.stderr(`zkfc: ${failure}\n`);
  return outcome.exit.exitCode;
}

/**
 * Parity: ZKFailoverController.mainLoop throws "ZK Failover Controller failed: <msg>". The
 * controller's exit message usually carries that prefix already; never print it twice.
 */
function controllerFailedMessage(message: string): string {
  const prefix = 'ZK Failover Controller failed: ';
  return message.startsWith(prefix) ? message : `${prefix}${message}`;
}

/** Keep metrics and the status page in step with the controller's records. */
function applyRecord(record: ControllerRecord, metrics: ZkfcMetrics, status: StatusBoard, readiness: ReadinessGate<'zkConnected' | 'firstHealthCheck'>): void {
  switch (record.type) {
    case 'healthCheck':
      metrics.recordHealthCheck(record.outcome, record.durationMs / 1000);
      readiness.satisfy('firstHealthCheck');
      return;
    case 'serviceStateReported':
      metrics.setHaState(record.state);
      status.update({ haState: record.state });
      return;
    case 'healthStateChanged':
      metrics.setHealthState(record.to);
      status.update({ healthState: record.to });
      return;
    case 'electorStateChanged':
      metrics.setElectorState(record.to);
      // Out of the election (INIT) we hold no session and watch nothing: what we last saw of the
      // lock is stale, so show none rather than a holder that may be gone.
      status.update(record.to === 'INIT' ? { electorState: record.to, lockHolder: null } : { electorState: record.to });
      return;
    case 'zkConnectionStateChanged':
      metrics.setZkConnectionState(record.to);
      status.update({ zkConnectionState: record.to });
      if (record.to === 'CONNECTED') readiness.satisfy('zkConnected');
      return;
    case 'zkSessionEvent':
      metrics.recordZkSessionEvent(record.event);
      if (record.sessionId !== undefined) status.update({ zkSessionId: record.sessionId });
      return;
    case 'transition':
      metrics.recordTransition(record.to, record.result);
      if (record.result === 'success') {
        // The NameNode confirmed the state: show it now, not at the next health round.
        const state = record.to === 'active' ? 'ACTIVE' : 'STANDBY';
        metrics.setHaState(state);
        status.update({ haState: state });
      }
      return;
    case 'fencing':
      metrics.recordFenceOutcome(record.outcome);
      return;
    case 'failover':
      metrics.recordFailover(record.record);
      status.recordFailover(record.record);
      return;
    case 'lockHolder':
      status.update({ lockHolder: record.info });
      return;
    case 'breadcrumb':
      status.update({ breadcrumb: record.info });
      return;
    case 'cede':
      status.update({ cededUntilWallMs: record.untilWallMs });
      return;
    case 'activeAttempt':
    case 'exit':
      return;
  }
}

function checkConfig(config: ZkfcConfig, io: DaemonIo): number {
  const rows = describeConfig(config);
  const width = Math.max(...rows.map((r) => r.key.length));
  io.stdout(`nameservice ${config.nameserviceId}, namenode ${config.namenodeId} (found by ${config.localHow}), Hadoop conf dir ${config.hadoopConfDir}\n`);
  for (const nn of config.namenodes) {
    io.stdout(`  ${nn.namenodeId === config.namenodeId ? '*' : ' '} ${nn.namenodeId} service ${nn.serviceAddress.host}:${nn.serviceAddress.port} zkfc port ${nn.zkfcPort}\n`);
  }
  for (const row of rows) io.stdout(`${row.key.padEnd(width)}  ${row.value}  (${row.source})\n`);
  for (const warning of config.hadoopConf.warnings()) io.stderr(`zkfc check-config: warning: ${warning.message}\n`);
  const problems: Array<{ message: string; code: number }> = [];
  if (!config.automaticFailoverEnabled) problems.push({ message: 'dfs.ha.automatic-failover.enabled is false: zkfc would exit 5', code: ExitCode.AUTO_FAILOVER_NOT_ENABLED });
  if (config.get<string>('ha.zookeeper.quorum').trim() === '') problems.push({ message: "ha.zookeeper.quorum: Missing required configuration 'ha.zookeeper.quorum' for ZooKeeper quorum", code: ExitCode.CONFIG });
  try {
    zkAclFromConfig(config.get<string>('ha.zookeeper.acl'));
    zkAuthFromConfig(config.get<string | null>('ha.zookeeper.auth') ?? undefined);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push({ message: error.message, code: error.exitCode });
  }
  for (const nn of config.namenodes) {
    try {
      checkFencingConfigured(config.getForNamenode('dfs.ha.fencing.methods', nn.namenodeId), nn);
    } catch (error) {
      if (!(error instanceof BadFencingConfigurationError)) throw error;
      problems.push({ message: `${nn.namenodeId}: ${error.message}`, code: error.exitCode });
    }
  }
  if (problems.length === 0) {
    io.stdout('configuration OK\n');
    return ExitCode.OK;
  }
  for (const problem of problems) io.stderr(`zkfc check-config: ${problem.message}\n`);
  return problems[0]!.code;
}

function splitHostPort(text: string): [string, string] {
  const colon = text.lastIndexOf(':');
  return [text.slice(0, colon).replace(/^\[|\]$/g, ''), text.slice(colon + 1)];
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
