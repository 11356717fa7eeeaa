// The `zkfc` daemon: Hadoop's ZKFC start-up sequence and exit codes (docs/hadoop-compat.md §7.1), then the wiring
// of every part: ControllerRuntime (elector + health monitor + controller) on the ZooKeeper
// adapter, the Hadoop IPC clients and the fencer; the ZKFCProtocol server; the read-only status
// listener with metrics; the fencing preflight; the NameNode /stacks capture and HTTP view; systemd readiness;
// SIGTERM handling. Configuration arrives loaded and typed (src/config) and checked by validate.ts.
// This file is the composition root: the only place that knows every concrete part.

import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { Logger } from 'pino';
import { RE_ESTABLISH_SESSION_RETRY_DELAY_MS, reconnectDelayMs } from '../core/elector/elector.js';
import { describeConfig, loadZkfcConfig, type ZkfcConfig } from '../config/load.js';
import { STACKS_FILES_KEPT } from '../config/schema.js';
import { DFS_NAMENODE_HTTP_PORT_DEFAULT } from '../config/topology.js';
import { ConfigError, ExitCode, errorMessage } from '../errors.js';
import { parsePrivateKeyFiles } from '../fencing/fencing-config.js';
import { NodeFencer, type FencingTargetConfig } from '../fencing/node-fencer.js';
import { FencingPreflight } from '../fencing/preflight.js';
import { decodeActiveNodeInfo, encodeActiveNodeInfo } from '../hadoop/active-node-info.js';
import { encodeActiveRmInfo, resourceManagerCodec, resourceManagerRequests } from '../hadoop/active-rm-info.js';
import { RpcHAServiceClientFactory } from '../hadoop/ha-service-client.js';
import { javaHostName, withHostAliases } from '../hadoop/java-hostname.js';
import { NameNodeStacks } from '../hadoop/namenode-stacks.js';
import { RpcZkfcClientFactory } from '../hadoop/zkfc-client.js';
import type { IpcSaslAuthentication } from '../ipc/sasl.js';
import { startDaemonKerberos, type DaemonKerberos } from './kerberos.js';
import { ZkfcRpcServer, zkfcBindHost } from '../hadoop/zkfc-rpc-server.js';
import { StatusServer } from '../http/status-server.js';
import { applyRecord, type ReadinessStep } from '../observability/apply-record.js';
import { SideWork } from '../runtime/side-work.js';
import { createLogger, resetRepeats } from '../observability/logger.js';
import { ZkfcMetrics } from '../observability/metrics.js';
import { StatusBoard } from '../observability/status.js';
import { ClusterView } from '../runtime/cluster-view.js';
import { ControllerRuntime } from '../runtime/controller-runtime.js';
import { HeapReducer } from '../runtime/heap-reducer.js';
import type { ControllerRecord } from '../runtime/records.js';
import type { FailoverJournal } from '../runtime/failover-journal.js';
import { ControllerExitedError, FailoverServiceError } from '../runtime/errors.js';
import { ReadinessGate, sdNotifierFromEnv } from '../runtime/sd-notify.js';
import { SystemClock } from '../runtime/system-clock.js';
import { AdoptingZkSessionFactory, connectOnce, ZkUnavailableError } from '../runtime/zk-connect.js';
import { NodeZkSessionFactory, type ZkTlsProblemListener } from '../zookeeper/node-zk-session.js';
import { loadZkTlsConnector } from '../zookeeper/tls-loader.js';
import type { ZkTlsConnector } from '../zookeeper/tls.js';
import type { ZkSaslAuthenticator } from '../zookeeper/sasl.js';
import { loadZkSaslAuthenticator } from './zk-sasl.js';
import { ensureParentZNode, parentZNodeExists } from '../zookeeper/parent-znode.js';
import { BadArgumentError, parseZkfcArgs, USAGE, type ZkfcArgs } from './args.js';
import { createFailoverJournal, JOURNAL_CLOSE_TIMEOUT_MS } from './failover-journal.js';
import { formatZk } from './format-zk.js';
import { namenodeHttpAddressOf, namenodeHttpEnabled, makeNameNodeHttpView } from './namenode-http.js';
import { NameNodeJmxTxidReader } from '../hadoop/namenode-jmx.js';
import { zkTlsStoreProblem } from './zk-tls.js';
import { V8Heap } from './v8-heap.js';
import {
  validate,
  WORLD_WRITABLE_ACL_FIX,
  WORLD_WRITABLE_ACL_WARNING,
  type ValidatedConfig,
  type ZkSetup,
} from './validate.js';
import { isWorldWritable } from '../zookeeper/acl.js';

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

// Set to package.json's version by the daemon bundle's build (scripts/bundle-daemon.mjs), which
// leaves package.json where this module's relative URL would not find it.
declare const ZKFC_BUNDLED_VERSION: string | undefined;

/**
 * The records of HA activity, during which the heap reducer does not collect: state changes and
 * the steps of a failover (not the routine ones: health checks, pause re-reads, cluster rounds).
 */
const HA_ACTIVITY_RECORDS: ReadonlySet<ControllerRecord['type']> = new Set<ControllerRecord['type']>([
  'healthStateChanged',
  'electorStateChanged',
  'zkConnectionStateChanged',
  'lockHolder',
  'breadcrumb',
  'cede',
  'fencing',
  'transition',
  'activeAttempt',
  'failover',
]);

/**
 * The side work (fencing preflight, NameNode HTTP view, cluster view) starts when the daemon is
 * ready, or this long after the controller starts at the latest (src/runtime/side-work.ts).
 */
const SIDE_WORK_START_DELAY_MAX_MS = 2000;

export const VERSION: string = typeof ZKFC_BUNDLED_VERSION === 'string' ? ZKFC_BUNDLED_VERSION : readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
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

  const logger = (io.logger ?? createLogger({ level: config.settings.log.level })).child({
    nameservice: config.local.nameserviceId,
    namenode: config.local.namenodeId,
    ...(config.service === 'resourcemanager' ? { service: config.service } : {}),
  });
  const log = logger.child({ component: 'zkfc' });
  // What Hadoop logs while loading the configuration: deprecated key names, ignored overrides of final keys.
  const confLog = logger.child({ component: 'conf' });
  for (const warning of config.hadoopConf.warnings())
    confLog.warn({ key: warning.key, kind: warning.kind }, warning.message);

  const validated = validate(config);
  if (args.command.kind === 'checkConfig') return await checkConfig(config, validated, io);
  for (const warning of validated.warnings) log.warn({ key: warning.key }, warning.message);

  // Steps 3 and 5: automatic failover on, ZooKeeper settings usable (fencing waits for step 8).
  const early = validated.problems.find((problem) => problem.code !== ExitCode.NO_FENCER);
  if (early !== undefined || validated.zk === undefined) {
    const problem = early ?? { message: 'ZooKeeper settings unusable', code: ExitCode.CONFIG };
    log.error(problem.key !== undefined ? { key: problem.key } : {}, problem.message);
    io.stderr(`zkfc: ${problem.message}\n`);
    return problem.code;
  }
  const zk = validated.zk;
  const clock = new SystemClock();
  // TLS (hadoop.zk.ssl.*) for every session: the daemon's, -formatZK's and graceful failover's.
  const tls = zk.tls === undefined ? undefined : await loadZkTlsConnector(zk.tls);
  // SASL (a JAAS Client section) for every session too; a keytab login is started here and renewed.
  let sasl: ZkSaslAuthenticator | undefined;
  try {
    sasl = zk.sasl === undefined ? undefined : await loadZkSaslAuthenticator(zk.sasl, { clock, logger });
  } catch (error) {
    log.fatal({ err: error }, 'ZooKeeper SASL unavailable');
    io.stderr(`zkfc: ZooKeeper SASL (${zk.sasl?.jaasFile ?? ''}): ${errorMessage(error)}\n`);
    return ExitCode.CONFIG;
  }
  if (sasl !== undefined) log.info({ ...sasl.identity(), login: sasl.describe() }, 'zookeeper SASL configured');
  try {
    return await startWithZooKeeper(args, io, config, validated, log, logger, zk, clock, tls, sasl);
  } finally {
    sasl?.stop();
  }
}

async function startWithZooKeeper(
  args: ZkfcArgs,
  io: DaemonIo,
  config: ZkfcConfig,
  validated: ValidatedConfig,
  log: Logger,
  logger: Logger,
  zk: ZkSetup,
  clock: SystemClock,
  tls: ZkTlsConnector | undefined,
  sasl: ZkSaslAuthenticator | undefined,
): Promise<number> {
  const { quorum } = config.settings.zk;
  const zkFactory = new NodeZkSessionFactory({
    clock,
    logger,
    ...(tls !== undefined ? { tls } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
  });
  const { zkOpRetries } = config.settings.failover;

  // Step 5: connect to ZooKeeper. Hadoop fails fast (exit 6); with zkfc.zookeeper.retry-forever
  // the daemon starts anyway and runDaemon keeps trying, out of the election.
  if (args.command.kind === 'formatZK') {
    let formatSession;
    try {
      formatSession = await connectOnce(zkFactory, zk.session);
    } catch (error) {
      if (!(error instanceof ZkUnavailableError) && !(error instanceof ConfigError)) throw error;
      log.fatal({ err: error, quorum }, 'Unable to connect to ZooKeeper');
      io.stderr(`zkfc: ${error.message}\n`);
      return error.exitCode;
    }
    // Step 6: -formatZK.
    try {
      return await formatZk({
        session: formatSession,
        workingDir: zk.paths.workingDir,
        acl: zk.acl,
        force: args.command.force,
        interactive: args.command.interactive,
        retryCountMax: zkOpRetries,
        logger: log,
        confirm: io.confirm,
        stderr: io.stderr,
      });
    } catch (error) {
      log.fatal({ err: error }, 'ZooKeeper set-up failed');
      io.stderr(`zkfc: ${errorMessage(error)}\n`);
      return ExitCode.FATAL;
    } finally {
      await formatSession.close();
    }
  }

  // The session that checks the election znode becomes the controller's first session.
  const zkSessions = new AdoptingZkSessionFactory(zkFactory);
  let connected = false;
  try {
    await zkSessions.connect(zk.session);
    connected = true;
  } catch (error) {
    if (!(error instanceof ZkUnavailableError) && !(error instanceof ConfigError)) throw error;
    if (!config.settings.zk.retryForever || error instanceof ConfigError) {
      log.fatal({ err: error, quorum }, 'Unable to connect to ZooKeeper');
      io.stderr(`zkfc: ${error.message}\n`);
      return error.exitCode;
    }
    log.error({ err: error, quorum }, 'Unable to connect to ZooKeeper; starting anyway and retrying');
  }
  if (connected) {
    const code = await checkElectionZnode(zkSessions, config, zk, log, io);
    if (code !== undefined) {
      await zkSessions.discard();
      return code;
    }
  }

  // Step 8: fencing must be configured for the local target and its peers (ERR_CODE_NO_FENCER).
  const fencingProblem = validated.problems.find((problem) => problem.code === ExitCode.NO_FENCER);
  if (fencingProblem !== undefined) {
    await zkSessions.discard();
    log.fatal({ key: fencingProblem.key }, fencingProblem.message);
    io.stderr(`zkfc: ${fencingProblem.message}\n`);
    return ExitCode.NO_FENCER;
  }

  return runDaemon(config, validated, {
    logger,
    io,
    clock,
    zkFactory: zkSessions,
    plainZkFactory: zkFactory,
    zk,
    connected,
    onZkTlsProblem: (listener) => zkFactory.onTlsProblem(listener),
    onZkSaslProblem: (listener) => zkFactory.onSaslProblem(listener),
  });
}

interface RunContext {
  readonly logger: Logger;
  readonly io: DaemonIo;
  readonly clock: SystemClock;
  /** Holds the start-up session (when `connected`) for the controller to adopt. */
  readonly zkFactory: AdoptingZkSessionFactory;
  /** Sessions of their own (the failover journal's), never the one the controller adopts. */
  readonly plainZkFactory: NodeZkSessionFactory;
  readonly zk: ZkSetup;
  /** False when ZooKeeper was out of reach at start-up (retry-forever): runDaemon waits for it. */
  readonly connected: boolean;
  /** Hear why TLS to ZooKeeper fails (and when it works again). */
  readonly onZkTlsProblem: (listener: ZkTlsProblemListener) => void;
  /** Hear why SASL authentication to ZooKeeper fails (and when it works again). */
  readonly onZkSaslProblem: (listener: ZkTlsProblemListener) => void;
}

/**
 * Connects to ZooKeeper at start-up until it answers or the daemon is stopped: the wait doubles
 * from Hadoop's 5 s (ActiveStandbyElector#reEstablishSession) up to zkfc.zookeeper.retry-max-
 * backoff.ms. Each failure shows in /status, /healthz, the metrics and the systemd status line.
 * The connected session stays in ctx.zkFactory for the controller.
 */
async function waitForZooKeeper(
  config: ZkfcConfig,
  ctx: RunContext,
  sinks: {
    readonly status: StatusBoard;
    readonly metrics: ZkfcMetrics;
    readonly notifier: { status(text: string): Promise<unknown> };
    readonly log: Logger;
  },
): Promise<'connected' | 'stopped'> {
  const { clock, io } = ctx;
  const { retryMaxBackoffMs } = config.settings.zk;
  let stopped = false;
  void io.stopSignal.then(() => (stopped = true));
  for (let failures = 1; ; failures++) {
    const delayMs = reconnectDelayMs(failures, RE_ESTABLISH_SESSION_RETRY_DELAY_MS, retryMaxBackoffMs);
    const nowMs = clock.wallMs();
    const retry = {
      failures,
      delayMs,
      reason: 'no ZooKeeper server answered within the session timeout',
      failedAtWallMs: nowMs,
      nextAttemptWallMs: nowMs + delayMs,
    };
    applyRecord({ type: 'zkRetry', retry }, sinks);
    void sinks.notifier.status(`ZooKeeper unreachable (${failures} failed attempts); out of the election, retrying`);
    sinks.log.warn(
      { failures, delayMs, quorum: config.settings.zk.quorum },
      'ZooKeeper unavailable; out of the election, retrying',
    );
    const slept = await Promise.race([
      new Promise<'slept'>((resolve) => clock.schedule(delayMs, () => resolve('slept'))),
      io.stopSignal.then(() => 'stopped' as const),
    ]);
    if (slept === 'stopped' || stopped) return 'stopped';
    try {
      await Promise.race([ctx.zkFactory.connect(ctx.zk.session), io.stopSignal]);
    } catch (error) {
      if (!(error instanceof ZkUnavailableError)) throw error;
      continue;
    }
    if (stopped) return 'stopped';
    sinks.log.info({ failures }, 'ZooKeeper reachable again; joining the controller');
    applyRecord({ type: 'zkConnectionStateChanged', from: 'DISCONNECTED', to: 'CONNECTED' }, sinks);
    return 'connected';
  }
}

/**
 * Step 7: the working znode must exist (ERR_CODE_NO_PARENT_ZNODE). A ResourceManager's embedded
 * elector creates it (ActiveStandbyElectorBasedElectorService: ensureParentZNode), so for
 * ResourceManagers we do too: a pair moved from the embedded elector needs no -formatZK. Runs on
 * the kept start-up session; returns the exit code when the daemon must stop.
 */
async function checkElectionZnode(
  sessions: AdoptingZkSessionFactory,
  config: ZkfcConfig,
  zk: ZkSetup,
  log: Logger,
  io: DaemonIo,
): Promise<number | undefined> {
  const zkOpRetries = config.settings.failover.zkOpRetries;
  const session = sessions.keptSession();
  if (session === undefined) return undefined;
  try {
    const exists = await parentZNodeExists(session, zk.paths.workingDir, { retryCountMax: zkOpRetries, logger: log });
    if (!exists && config.service === 'resourcemanager') {
      log.info({ znode: zk.paths.workingDir }, "creating the ResourceManagers' election znode");
      await ensureParentZNode(session, zk.paths.workingDir, zk.acl, { retryCountMax: zkOpRetries, logger: log });
    } else if (!exists) {
      const message =
        `Unable to start failover controller. Parent znode ${zk.paths.workingDir} ` +
        `does not exist.\nRun with -formatZK flag to initialize ZooKeeper.`;
      log.fatal({ znode: zk.paths.workingDir }, 'Unable to start failover controller. Parent znode does not exist.');
      io.stderr(`zkfc: ${message}\n`);
      return ExitCode.NO_PARENT_ZNODE;
    }
    return undefined;
  } catch (error) {
    log.fatal({ err: error }, 'ZooKeeper set-up failed');
    io.stderr(`zkfc: ${errorMessage(error)}\n`);
    return ExitCode.FATAL;
  }
}

/** Step 9: start the RPC server, status listener, preflight and the controller; run until stopped. */
async function runDaemon(config: ZkfcConfig, validated: ValidatedConfig, ctx: RunContext): Promise<number> {
  const { security } = config.settings;
  if (security.authentication.trim().toLowerCase() !== 'kerberos')
    return runDaemonAs(config, validated, ctx, undefined, undefined);
  // Parity: DFSZKFailoverController.loginAsFCUser before anything talks to a NameNode. A login
  // that fails is logged and retried: the daemon stays up, out of the election, until it works.
  let kerberos: DaemonKerberos;
  try {
    kerberos = await startDaemonKerberos({
      principal: security.namenodePrincipal ?? '',
      keytab: security.namenodeKeytab ?? '',
      rpcProtection: security.rpcProtection,
      fallbackToSimpleAuthAllowed: security.fallbackToSimpleAuthAllowed,
      localHost: config.local.serviceAddress.host,
      simpleUser: ctx.io.env['HADOOP_USER_NAME'] ?? safeUserName(),
      authToLocal: security.authToLocal,
      authToLocalMechanism: security.authToLocalMechanism,
      clock: ctx.clock,
      logger: ctx.logger,
    });
  } catch (error) {
    await ctx.zkFactory.discard();
    ctx.logger.fatal({ err: error }, 'Kerberos is not available');
    ctx.io.stderr(`zkfc: ${errorMessage(error)}\n`);
    return ExitCode.CONFIG;
  }
  try {
    return await runDaemonAs(config, validated, ctx, kerberos.sasl, kerberos);
  } finally {
    kerberos.login.stop();
  }
}

async function runDaemonAs(
  config: ZkfcConfig,
  validated: ValidatedConfig,
  ctx: RunContext,
  sasl: IpcSaslAuthentication | undefined,
  kerberos: DaemonKerberos | undefined,
): Promise<number> {
  const { logger, io, clock } = ctx;
  const { settings } = config;
  const { fencing, server } = settings;
  const log = logger.child({ component: 'zkfc' });
  const loginUser = io.env['HADOOP_USER_NAME'] ?? safeUserName();
  const connectTimeoutMs = settings.ipc.connectTimeoutMs;
  const rpcHaFactory = new RpcHAServiceClientFactory({
    effectiveUser: loginUser,
    connectTimeoutMs,
    logger,
    timers: clock,
    ...(sasl !== undefined ? { sasl } : {}),
  });
  const haFactory = config.service === 'resourcemanager' ? resourceManagerRequests(rpcHaFactory) : rpcHaFactory;
  const zkfcClients = new RpcZkfcClientFactory({
    effectiveUser: loginUser,
    connectTimeoutMs,
    logger,
    timers: clock,
    ...(sasl !== undefined ? { sasl } : {}),
  });

  const storeFences =
    config.resourceManager?.stateStore.fences === true ? config.resourceManager.stateStore.store : undefined;
  const fencingTargets: FencingTargetConfig[] = config.peers.map((peer) => ({
    target: peer,
    fencingMethods: config.fencingMethodsFor(peer.namenodeId),
    conf: config.confForNamenode(peer.namenodeId),
    ...(storeFences !== undefined ? { stateStoreFences: storeFences } : {}),
  }));
  const ssh = {
    privateKeyFiles: parsePrivateKeyFiles(fencing.sshPrivateKeyFiles ?? undefined),
    connectTimeoutMs: fencing.sshConnectTimeoutMs,
    commandTimeoutMs: fencing.sshCommandTimeoutMs,
  };
  const localMethods = (validated.fencingMethods.get(config.local.namenodeId) ?? []).map((method) => method.text);
  const metrics = new ZkfcMetrics({
    version: VERSION,
    service: config.service,
    nameservice: config.local.nameserviceId,
    namenode: config.local.namenodeId,
    fencingMethods: localMethods,
    namenodeHttpView: namenodeHttpEnabled(config),
    ...(settings.clusterView.intervalMs > 0
      ? {
          clusterView: {
            namenodes: config.namenodes.map((nn) => nn.namenodeId),
            monotonicMs: () => clock.monotonicMs(),
          },
        }
      : {}),
  });
  const fencer = new NodeFencer({
    targets: fencingTargets,
    haServiceClientFactory: haFactory,
    clock,
    logger: logger.child({ component: 'fencer' }),
    gracefulFence: {
      rpcTimeoutMs: settings.failover.gracefulFenceRpcTimeoutMs,
      connectionRetries: settings.failover.gracefulFenceConnectionRetries,
      // Hadoop waits ipc.client.connect.retry.interval (1 s) before retrying a refused connect. A
      // refused connect means no NameNode listens there; the fencing methods decide right after,
      // so waiting only delays the failover without making it safer.
      retryIntervalMs: 10,
    },
    ssh,
    shell: { timeoutMs: fencing.shellTimeoutMs },
  });

  // The ZKFC RPC server binds first: its port goes into our ActiveNodeInfo (zkfcPort).
  const rpcView = config.confForNamenode(config.local.namenodeId);
  const bindHost =
    config.resourceManager !== undefined
      ? zkfcBindHost(undefined, config.resourceManager.bindHost, config.local.serviceAddress.host)
      : zkfcBindHost(
          rpcView.get('dfs.namenode.servicerpc-bind-host'),
          rpcView.get('dfs.namenode.rpc-bind-host'),
          config.local.serviceAddress.host,
        );
  // eslint-disable-next-line prefer-const -- the RPC server's handlers below read it; it is set once the runtime exists
  let controller: ControllerRuntime | undefined;
  // eslint-disable-next-line prefer-const -- the same; set with the controller
  let journal: FailoverJournal | undefined;
  const rpcServer = new ZkfcRpcServer({
    host: bindHost,
    port: server.zkfcPort,
    administrators: server.clusterAdministrators,
    // Parity: ZKFCRpcServer.checkRpcAdminAccess compares with the login user's short name (the keytab's principal).
    loginUser: kerberos !== undefined ? kerberos.login.principal : loginUser,
    ...(kerberos !== undefined ? { loginShortName: kerberos.loginShortName } : {}),
    ...(kerberos !== undefined ? { sasl: kerberos.server } : {}),
    ...(validated.serviceAuthorization !== undefined ? { serviceAuthorization: validated.serviceAuthorization } : {}),
    limits: {
      ...(validated.rpcAllowList !== undefined ? { allowList: validated.rpcAllowList } : {}),
      maxConnections: settings.rpc.maxConnections,
      maxConnectionsPerAddress: settings.rpc.maxConnectionsPerAddress,
      setupTimeoutMs: settings.rpc.setupTimeoutMs,
      // Parity: Hadoop's IPC server closes connections idle for twice ipc.client.connection.maxidletime.
      maxIdleMs: 2 * settings.rpc.connectionMaxIdleTimeMs,
      maxCedeMs: settings.rpc.maxCedeMs,
    },
    logger,
    handler: {
      cedeActive: async (millis, caller) => {
        if (controller === undefined) throw new FailoverServiceError('ZK Failover Controller is starting');
        journal?.cedeRequested(caller, millis);
        await controller.cedeActive(millis, caller);
      },
      gracefulFailover: async (caller) => {
        if (controller === undefined) throw new FailoverServiceError('ZK Failover Controller is starting');
        log.info({ caller }, 'gracefulFailover requested');
        const ended = journal?.gracefulFailoverRequested(caller);
        try {
          await controller.gracefulFailover();
        } finally {
          ended?.();
        }
      },
    },
  });
  let rpcAddress;
  try {
    // The host lists' names resolved before the first connection is checked against them.
    await validated.serviceAuthorization?.resolveHostNames();
    rpcAddress = await rpcServer.listen();
  } catch (error) {
    await ctx.zkFactory.discard();
    log.fatal({ err: error, host: bindHost, port: server.zkfcPort }, 'cannot bind the ZKFC RPC server');
    io.stderr(
      `zkfc: cannot bind the ZKFC RPC server on ${bindHost}:${server.zkfcPort} ` +
        `(dfs.ha.zkfc.port): ${errorMessage(error)}\n`,
    );
    return ExitCode.FATAL;
  }
  // Resolve once: aliases let breadcrumbs written by Java ZKFCs match our configuration, and our
  // own ActiveNodeInfo carries the host name Java would write (bytes identical to a Java ZKFC's).
  const [localWithAliases, ...peers] = await withHostAliases([config.local, ...config.peers]);
  const local = { ...localWithAliases!, zkfcPort: rpcAddress.port };
  // A ResourceManager's lock holds what its embedded elector writes (cluster id and rm-id), so
  // the pair can move between the embedded elector and zkfc one ResourceManager at a time.
  const appData =
    config.service === 'resourcemanager'
      ? encodeActiveRmInfo({ clusterId: local.nameserviceId, rmId: local.namenodeId })
      : encodeActiveNodeInfo({
          nameserviceId: local.nameserviceId,
          namenodeId: local.namenodeId,
          hostname: await javaHostName(local.serviceAddress.host),
          port: local.serviceAddress.port,
          zkfcPort: local.zkfcPort,
        });
  const decode = config.service === 'resourcemanager' ? resourceManagerCodec([local, ...peers]) : decodeActiveNodeInfo;

  const status = new StatusBoard(
    {
      service: config.service,
      nameservice: local.nameserviceId,
      namenode: local.namenodeId,
      namenodeAddress: `${local.serviceAddress.host}:${local.serviceAddress.port}`,
      version: VERSION,
    },
    clock,
  );
  status.configureAntiFlap(config.settings.antiFlap);
  if (isWorldWritable(ctx.zk.acl)) {
    // Shown for as long as the daemon runs: /status (haadmin status) and the metrics' alert rule.
    status.setZooKeeperProblem(
      { problem: 'acl-world-writable', detail: WORLD_WRITABLE_ACL_WARNING, clear: WORLD_WRITABLE_ACL_FIX },
      true,
    );
    metrics.setZooKeeperProblem('acl-world-writable', true);
  }
  // A store that cannot be used or a handshake that fails: until a session connects over TLS again.
  ctx.onZkTlsProblem((problem) => {
    status.setZooKeeperProblem(
      { problem: 'zookeeper-tls', detail: problem?.detail ?? '', clear: problem?.clear ?? '' },
      problem !== undefined,
    );
    metrics.setZooKeeperProblem('zookeeper-tls', problem !== undefined);
  });
  // A refused or failed SASL exchange: until a connection authenticates again.
  ctx.onZkSaslProblem((problem) => {
    status.setZooKeeperProblem(
      { problem: 'zookeeper-sasl', detail: problem?.detail ?? '', clear: problem?.clear ?? '' },
      problem !== undefined,
    );
    metrics.setZooKeeperProblem('zookeeper-sasl', problem !== undefined);
  });
  const httpAddress = `${server.httpAddress.host}:${server.httpAddress.port}`;
  const statusServer = new StatusServer({
    host: server.httpAddress.host,
    port: server.httpAddress.port,
    metrics,
    status,
    logger,
  });
  try {
    await statusServer.listen();
  } catch (error) {
    await rpcServer.close();
    await ctx.zkFactory.discard();
    log.fatal({ err: error }, 'cannot bind the status listener');
    io.stderr(`zkfc: cannot bind the status listener on ${httpAddress} (zkfc.http-address): ${errorMessage(error)}\n`);
    return ExitCode.FATAL;
  }

  const sideWork = new SideWork(clock, SIDE_WORK_START_DELAY_MAX_MS);
  const notifier = sdNotifierFromEnv(io.env, logger.child({ component: 'systemd' }), { unsetEnvironment: true });
  // WatchdogSec= in the unit: the pings are timers on the event loop, so they stop when it is
  // stuck and systemd restarts the daemon.
  const stopWatchdog = notifier.startWatchdog(clock);
  const readiness = new ReadinessGate<ReadinessStep>(['zkConnected', 'firstHealthCheck'], () => {
    void notifier.ready('ZooKeeper connected, first health check done');
    log.info({}, 'zkfc ready: ZooKeeper connected and first health check done');
    sideWork.start();
  });
  if (!ctx.connected) {
    // ZooKeeper was out of reach at start-up: stay up, out of the election, and keep trying.
    void notifier.ready('waiting for ZooKeeper');
    const outcome = await waitForZooKeeper(config, ctx, { status, metrics, notifier, log });
    const code = outcome === 'stopped' ? ExitCode.OK : await checkElectionZnode(ctx.zkFactory, config, ctx.zk, log, io);
    if (code !== undefined) {
      if (outcome === 'stopped') log.info({}, 'zkfc stopped');
      stopWatchdog();
      await ctx.zkFactory.discard();
      void notifier.stopping();
      await rpcServer.close();
      await statusServer.close();
      await notifier.flush();
      return code;
    }
  }

  // Parity: DFSZKFailoverController#setLastHealthState captures the local NameNode's /stacks when it
  // turns unhealthy or stops responding. Without a configured http-address, Hadoop's
  // DFSUtil#getInfoServer falls back to the default port on the NameNode's host.
  const stacks = new NameNodeStacks({
    httpAddress: local.httpAddress ?? { host: local.serviceAddress.host, port: DFS_NAMENODE_HTTP_PORT_DEFAULT },
    namenodeId: local.namenodeId,
    timeoutMs: settings.stacks.httpTimeoutMs,
    dir: settings.stacks.dir,
    keep: STACKS_FILES_KEPT,
    logger,
  });

  controller = new ControllerRuntime({
    local,
    peers,
    appData,
    decode,
    zkSession: ctx.zk.session,
    workingDir: ctx.zk.paths.workingDir,
    acl: ctx.zk.acl,
    failover: settings.failover,
    health: settings.health,
    healthConnectTimeoutMs: connectTimeoutMs,
    zkRetry: { retryForever: settings.zk.retryForever, maxBackoffMs: settings.zk.retryMaxBackoffMs },
    pause: settings.pause,
    antiFlap: settings.antiFlap,
    ...(config.service === 'namenode'
      ? {
          readiness: {
            policy: {
              enabled: settings.readiness.enabled,
              maxEditsAgeMs: settings.readiness.maxEditsAgeMs,
              maxLagTxns: settings.readiness.maxLagTxns,
              escapeAfterMs: settings.readiness.escapeAfterMs,
              raceHandicapMs: settings.readiness.raceHandicapMs,
            },
            httpView: namenodeHttpEnabled(config),
          },
        }
      : {}),
    ports: { clock, zk: ctx.zkFactory, haService: haFactory, fencer, zkfcClients },
    // The elector's, health monitor's and controller's decisions (the core's notes).
    logger: logger.child({ component: 'controller' }),
    resetLogRepeats: () => resetRepeats(logger),
  });
  // Memory given back after the heap has grown (README "A lean daemon"); from the start, not side
  // work: its first look is zkfc.heap.reduce-interval.ms away.
  const heapReducer =
    settings.heap.reduceIntervalMs > 0
      ? new HeapReducer({
          heap: new V8Heap(),
          clock,
          intervalMs: settings.heap.reduceIntervalMs,
          logger: logger.child({ component: 'heap' }),
        })
      : undefined;
  heapReducer?.start();
  // The failover journal (README "Failover journal"): fed the same records, writes after the fact.
  journal = createFailoverJournal({
    config,
    env: io.env,
    host: hostname(),
    zkFactory: ctx.plainZkFactory,
    zk: ctx.zk,
    clock,
    logger,
    status,
  });
  controller.onEvent((record) => {
    applyRecord(record, { status, metrics, readiness });
    if (HA_ACTIVITY_RECORDS.has(record.type)) heapReducer?.activity();
    journal?.observe(record);
    if (
      record.type === 'healthStateChanged' &&
      (record.to === 'SERVICE_UNHEALTHY' || record.to === 'SERVICE_NOT_RESPONDING')
    )
      void stacks.capture(record.to);
  });

  const preflight =
    fencing.preflightIntervalMs > 0
      ? new FencingPreflight({
          targets: fencingTargets,
          ssh,
          intervalMs: fencing.preflightIntervalMs,
          clock,
          logger: logger.child({ component: 'preflight' }),
        })
      : undefined;
  if (preflight !== undefined) {
    preflight.onChange((readinessList) => {
      status.setFencingReadiness(readinessList);
      metrics.setFencingReadiness(readinessList);
    });
    sideWork.add(() => preflight.start());
  }
  // The NameNode's HTTP view (JMX, /isActive): its own timer, beside the controller, never in its way.
  const namenodeHttp = makeNameNodeHttpView({ config, local, clock, logger, status, metrics });
  namenodeHttp?.onRead((snapshot) => controller?.observeNameNodeHttp(snapshot));
  if (namenodeHttp !== undefined) sideWork.add(() => namenodeHttp.start());

  // Every NameNode's state as this daemon sees it, on its own timer (README, "Cluster view").
  const clusterView =
    settings.clusterView.intervalMs > 0
      ? new ClusterView({
          namenodes: config.namenodes,
          localNamenodeId: local.namenodeId,
          clients: haFactory,
          ...(config.service === 'namenode' ? { txids: new NameNodeJmxTxidReader(namenodeHttpAddressOf(config)) } : {}),
          intervalMs: settings.clusterView.intervalMs,
          clock,
          logger: logger.child({ component: 'cluster-view' }),
        })
      : undefined;
  if (clusterView !== undefined) {
    status.startClusterView(
      settings.clusterView.intervalMs,
      config.namenodes.map((nn) => ({
        namenodeId: nn.namenodeId,
        address: `${nn.serviceAddress.host}:${nn.serviceAddress.port}`,
        local: nn.namenodeId === local.namenodeId,
      })),
    );
    clusterView.onRound((record) => {
      controller?.observeClusterView(record);
      status.setClusterView(record);
      metrics.setClusterView(record);
    });
    sideWork.add(() => clusterView.start());
  }

  const shutdown = async (signal?: string): Promise<void> => {
    sideWork.cancel();
    await heapReducer?.stop();
    stopWatchdog();
    void notifier.stopping();
    if (signal !== undefined) journal?.stopping(signal);
    namenodeHttp?.stop();
    await clusterView?.stop();
    await preflight?.stop();
    await rpcServer.close();
    await controller.stop();
    await journal?.close(JOURNAL_CLOSE_TIMEOUT_MS);
    await statusServer.close();
    await notifier.flush();
  };

  sideWork.startWithin();
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
    {
      rpc: `${rpcAddress.host}:${rpcAddress.port}`,
      http: httpAddress,
      local: `${local.serviceAddress.host}:${local.serviceAddress.port}`,
    },
    'zkfc started',
  );
  journal?.start();

  const outcome = await Promise.race([
    io.stopSignal.then((signal) => ({ kind: 'signal' as const, signal })),
    controller.exited.then((exit) => ({ kind: 'exit' as const, exit })),
  ]);
  await shutdown(outcome.kind === 'signal' ? outcome.signal : undefined);
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

/** `zkfc check-config`: every setting with its source, then the problems start-up would refuse. */
async function checkConfig(config: ZkfcConfig, validated: ValidatedConfig, io: DaemonIo): Promise<number> {
  const rows = describeConfig(config);
  const width = Math.max(...rows.map((r) => r.key.length));
  const [group, member] =
    config.service === 'resourcemanager' ? ['cluster', 'resourcemanager'] : ['nameservice', 'namenode'];
  io.stdout(
    `${group} ${config.local.nameserviceId}, ${member} ${config.local.namenodeId} ` +
      `(found by ${config.localHow}), Hadoop conf dir ${config.hadoopConfDir}\n`,
  );
  for (const nn of config.namenodes) {
    io.stdout(
      `  ${nn.namenodeId === config.local.namenodeId ? '*' : ' '} ${nn.namenodeId} service ` +
        `${nn.serviceAddress.host}:${nn.serviceAddress.port} zkfc port ${nn.zkfcPort}\n`,
    );
  }
  for (const row of rows) io.stdout(`${row.key.padEnd(width)}  ${row.value}  (${row.source})\n`);
  for (const warning of config.hadoopConf.warnings()) io.stderr(`zkfc check-config: warning: ${warning.message}\n`);
  for (const warning of validated.warnings) io.stderr(`zkfc check-config: warning: ${warning.message}\n`);
  // The TLS stores, read now as the first connection will (start-up waits out of the election instead).
  const tlsProblem = validated.zk?.tls === undefined ? undefined : await zkTlsStoreProblem(validated.zk.tls);
  const problems =
    tlsProblem === undefined
      ? validated.problems
      : [...validated.problems, { message: tlsProblem, code: ExitCode.CONFIG, key: 'hadoop.zk.ssl' }];
  if (problems.length === 0) {
    io.stdout('configuration OK\n');
    return ExitCode.OK;
  }
  for (const problem of problems) {
    const prefix =
      problem.namenodeId !== undefined
        ? `${problem.namenodeId}: `
        : problem.key !== undefined && !problem.message.includes(problem.key)
          ? `${problem.key}: `
          : '';
    io.stderr(`zkfc check-config: ${prefix}${problem.message}\n`);
  }
  return problems[0]!.code;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
