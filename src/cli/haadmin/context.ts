// What every haadmin command works with: the configuration, the nameservice chosen by -ns, the
// HAServiceProtocol client factory, the output streams and the user's answers, and Hadoop's
// helpers around them (NNHAServiceTarget resolution, checkManualStateManagementOK, the
// --forcemanual confirmation). Commands get it injected, so tests run them in-process against
// real simulator sockets and the binary runs the same code.

import { lookupService, lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { settingsFromConf, type ServiceKind } from '../../config/load.js';
import type { ZkfcSettings } from '../../config/schema.js';
import type { HARequestSource, HostPort } from '../../core/types.js';
import type { HadoopConfiguration } from '../../config/hadoop-conf.js';
import {
  DFS_NAMESERVICE_ID,
  detectLocalNamenode,
  getNamenodeIds,
  getNamenodeTarget,
  getOnlyNameserviceId,
  isAutomaticFailoverEnabled,
  getNameserviceIds,
  resolveNameserviceId,
  type LocalAddressProbe,
} from '../../config/topology.js';
import { getRmClusterTopology, getRmIds, isRmHaEnabled, RM_CLUSTER_ID } from '../../config/yarn-topology.js';
import { ZkfcError } from '../../errors.js';
import type { HAServiceClient, HAServiceClientFactory, ZkfcClient, ZkfcClientFactory } from '../../runtime/ports.js';
import { escapeControl } from '../../observability/untrusted.js';
import { consoleLine, type ConsoleLevel, type ConsoleLog } from './console-log.js';
import type { ZkfcStatusFetcher } from './zkfc-status-client.js';

/** Where a command writes and how it asks; lines are written with a trailing newline. */
export interface HaAdminIo {
  out(line: string): void;
  err(line: string): void;
  /** Write without a newline (the confirmation prompt). */
  errPartial(text: string): void;
  /** One line of the user's answer (without the line break); undefined at end of input. */
  readLine(): Promise<string | undefined>;
}

/**
 * The same io with control characters made visible in every line written (line breaks and tabs
 * kept: several of Hadoop's texts span lines). Cells that quote remote strings escape their line
 * breaks too, before they are laid out (status-table.ts), so no remote string starts a line.
 */
export function terminalSafeIo(io: HaAdminIo): HaAdminIo {
  return {
    out: (line) => io.out(escapeControl(line, { keepLineBreaks: true })),
    err: (line) => io.err(escapeControl(line, { keepLineBreaks: true })),
    errPartial: (text) => io.errPartial(escapeControl(text, { keepLineBreaks: true })),
    readLine: () => io.readLine(),
  };
}

/** How Java prints socket addresses; injectable so tests do not depend on the host's resolver. */
export interface AddressNaming {
  /** InetSocketAddress.toString(): "host/ip:port", "/ip:port" for a literal, "host/<unresolved>:port". */
  socketAddress(address: HostPort): Promise<string>;
  /** InetSocketAddress.getHostName(): the host as written, or the reverse lookup of a literal IP. */
  hostName(host: string): Promise<string>;
}

/** Bound on one name lookup: a slow resolver must not stall the CLI. */
const NAME_LOOKUP_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), NAME_LOOKUP_TIMEOUT_MS);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

export const systemAddressNaming: AddressNaming = {
  async socketAddress({ host, port }) {
    if (isIP(host)) return `/${host}:${port}`;
    const resolved = await withTimeout(
      lookup(host).then((r) => r.address),
      undefined,
    );
    return resolved === undefined ? `${host}/<unresolved>:${port}` : `${host}/${resolved}:${port}`;
  },
  async hostName(host) {
    if (!isIP(host)) return host;
    return withTimeout(
      lookupService(host, 0).then((r) => r.hostname),
      host,
    );
  },
};

/**
 * A NameNode as haadmin addresses it (Parity: NNHAServiceTarget): service address, optional
 * lifeline address, and whether its nameservice runs automatic failover.
 */
export interface HaTarget {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  readonly address: HostPort;
  readonly lifelineAddress?: HostPort;
  readonly autoFailoverEnabled: boolean;
  /** Port of this NameNode's ZKFC RPC server (dfs.ha.zkfc.port, per-nn resolvable; default 8019). */
  readonly zkfcPort: number;
  /** NNHAServiceTarget.toString(): "NameNode at <lifeline or service address>". */
  readonly description: string;
}

/** IllegalArgumentException in Hadoop: printed as "Illegal argument: <message>". */
export class IllegalArgumentError extends ZkfcError {
  readonly code = 'HAADMIN_ILLEGAL_ARGUMENT';
}

export interface HaAdminTimeouts {
  /** ha.failover-controller.cli-check.rpc-timeout.ms: getServiceState, getAllServiceState, checkHealth. */
  readonly cliCheckMs: number;
  /** Per-node status query of -transitionToActive's "is another node active?" check (Hadoop: 5000). */
  readonly otherNodeCheckMs: number;
  /**
   * Transitions. Hadoop's haadmin waits without limit; we bound it by
   * ha.failover-controller.new-active.rpc-timeout.ms (what the ZKFC allows a transition).
   */
  readonly transitionMs: number;
}

export interface HaAdminContextOptions {
  readonly conf: HadoopConfiguration;
  readonly clients: HAServiceClientFactory;
  /** ZKFCProtocol clients (-failover with automatic failover on). */
  readonly zkfcClients: ZkfcClientFactory;
  /** GET /status of a zkfc daemon (haadmin -status). */
  readonly fetchZkfcStatus: ZkfcStatusFetcher;
  readonly io: HaAdminIo;
  /** Base environment of shell(...) fencing commands (-failover); default: this process's environment. */
  readonly processEnv?: NodeJS.ProcessEnv;
  /** -ns, when given. */
  readonly nameserviceId?: string;
  /** -rm, when given: address ResourceManagers. Otherwise zkfc.service, or what the configuration has. */
  readonly service?: ServiceKind;
  readonly naming?: AddressNaming;
  readonly localAddressProbe?: LocalAddressProbe;
}

export class HaAdminContext {
  readonly conf: HadoopConfiguration;
  readonly io: HaAdminIo;
  readonly nameserviceId: string | undefined;
  /** NameNodes (hdfs-site.xml) or ResourceManagers (yarn-site.xml, README "ResourceManager HA"). */
  readonly service: ServiceKind;
  readonly naming: AddressNaming;
  readonly timeouts: HaAdminTimeouts;
  /** The settings of src/config/schema.ts as this configuration sets them (keys read without suffixes). */
  readonly settings: ZkfcSettings;
  readonly clients: HAServiceClientFactory;
  readonly fetchZkfcStatus: ZkfcStatusFetcher;
  readonly processEnv: NodeJS.ProcessEnv;
  /** REQUEST_BY_USER, or REQUEST_BY_USER_FORCED once --forcemanual was confirmed. */
  requestSource: HARequestSource = 'REQUEST_BY_USER';
  /** Log lines in Hadoop's console layout on stderr, under any log4j category. */
  readonly console: ConsoleLog;
  private readonly zkfcClients: ZkfcClientFactory;
  private readonly open: Array<HAServiceClient | ZkfcClient> = [];
  private readonly localAddressProbe: LocalAddressProbe | undefined;

  constructor(options: HaAdminContextOptions) {
    this.conf = options.conf;
    this.io = options.io;
    this.clients = options.clients;
    this.zkfcClients = options.zkfcClients;
    this.fetchZkfcStatus = options.fetchZkfcStatus;
    this.processEnv = options.processEnv ?? process.env;
    this.console = {
      log: (category, level, message) => this.io.err(consoleLine(new Date(), level, category, message)),
    };
    this.nameserviceId = options.nameserviceId;
    this.naming = options.naming ?? systemAddressNaming;
    this.localAddressProbe = options.localAddressProbe;
    this.settings = settingsFromConf(options.conf);
    this.service = options.service ?? haAdminService(options.conf, this.settings.nameservice.service);
    this.timeouts = {
      cliCheckMs: this.settings.failover.cliCheckRpcTimeoutMs,
      otherNodeCheckMs: 5_000,
      transitionMs: this.settings.failover.newActiveRpcTimeoutMs,
    };
  }

  /** Parity: DFSHAAdmin.resolveTarget → new NNHAServiceTarget(conf, nsId, nnId); RMAdminCLI.resolveTarget. */
  async resolveTarget(namenodeId: string): Promise<HaTarget> {
    if (this.service === 'resourcemanager') return this.resolveResourceManager(namenodeId);
    const nameserviceId = resolveNameserviceId(this.conf, this.nameserviceId);
    const target = getNamenodeTarget(this.conf, nameserviceId, namenodeId);
    const shown = target.lifelineAddress ?? target.serviceAddress;
    return {
      nameserviceId,
      namenodeId,
      address: target.serviceAddress,
      ...(target.lifelineAddress ? { lifelineAddress: target.lifelineAddress } : {}),
      autoFailoverEnabled: isAutomaticFailoverEnabled(this.conf, nameserviceId),
      zkfcPort: target.zkfcPort,
      description: `NameNode at ${await this.naming.socketAddress(shown)}`,
    };
  }

  /**
   * Parity: DFSHAAdmin.getTargetIds: the NameNode ids of -ns, else of
   * DFSUtil.getNamenodeNameServiceId (dfs.nameservice.id, the only nameservice, or the one
   * with a local address); empty when none can be determined.
   */
  async targetIds(): Promise<string[]> {
    if (this.service === 'resourcemanager') return getRmIds(this.conf);
    const nameserviceId = await this.currentNameserviceId();
    return nameserviceId === undefined ? [] : getNamenodeIds(this.conf, nameserviceId);
  }

  /**
   * The nameservice the commands without a target address (-getAllServiceState, -status): -ns,
   * else dfs.nameservice.id, else the only configured one, else the one with a local NameNode
   * address (Parity: DFSUtil.getNamenodeNameServiceId); undefined when none can be determined.
   */
  async currentNameserviceId(): Promise<string | undefined> {
    if (this.service === 'resourcemanager') return this.conf.getTrimmed(RM_CLUSTER_ID) || undefined;
    const nameserviceId =
      this.nameserviceId ?? (this.conf.getTrimmed(DFS_NAMESERVICE_ID) || undefined) ?? getOnlyNameserviceId(this.conf);
    if (nameserviceId !== undefined) return nameserviceId;
    try {
      return (await detectLocalNamenode(this.conf, this.localAddressProbe)).nameserviceId;
    } catch {
      return undefined;
    }
  }

  /**
   * Parity: RMAdminCLI.resolveTarget → RMHAServiceTarget: the rm-id must be listed, the address is
   * its admin address. HA must be on (RMAdminCLI refuses HA commands otherwise).
   */
  private async resolveResourceManager(rmId: string): Promise<HaTarget> {
    if (!isRmHaEnabled(this.conf)) {
      throw new IllegalArgumentError('ResourceManager HA is not enabled (yarn.resourcemanager.ha.enabled)');
    }
    const rmIds = getRmIds(this.conf);
    if (!rmIds.includes(rmId)) {
      throw new IllegalArgumentError(
        `${rmId} is not a valid serviceId. It should be one of ${rmIds.map((id) => `${id} `).join('')}`,
      );
    }
    const topology = getRmClusterTopology(this.conf, { requireClusterId: false });
    const target = topology.resourceManagers.find((rm) => rm.namenodeId === rmId)!;
    return {
      nameserviceId: topology.clusterId,
      namenodeId: rmId,
      address: target.serviceAddress,
      // zkfc is their automatic failover (the ResourceManagers themselves run with it off):
      // transitions need --forcemanual and -failover goes through the daemons.
      autoFailoverEnabled: true,
      zkfcPort: target.zkfcPort,
      description: `ResourceManager ${rmId} at ${await this.naming.socketAddress(target.serviceAddress)}`,
    };
  }

  /** A client for one address, closed by closeAll(). */
  client(address: HostPort): HAServiceClient {
    const client = this.clients.create(address);
    this.open.push(client);
    return client;
  }

  /** A ZKFCProtocol client for one address, closed by closeAll(). */
  zkfcClient(address: HostPort): ZkfcClient {
    const client = this.zkfcClients.create(address);
    this.open.push(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.open.splice(0)) client.close();
  }

  /**
   * Parity: HAAdmin.checkManualStateManagementOK: with automatic failover on, manual commands
   * are refused unless --forcemanual was given (then a warning is logged).
   */
  checkManualStateManagementOK(target: HaTarget): boolean {
    if (!target.autoFailoverEnabled) return true;
    if (this.requestSource !== 'REQUEST_BY_USER_FORCED') {
      this.io.err(
        `Automatic failover is enabled for ${target.description}\n` +
          'Refusing to manually manage HA state, since it may cause\n' +
          'a split-brain scenario or other incorrect state.\n' +
          'If you are very sure you know what you are doing, please \n' +
          'specify the --forcemanual flag.',
      );
      return false;
    }
    this.log(
      'WARN',
      `Proceeding with manual HA state management even though\nautomatic failover is enabled for ${target.description}`,
    );
    return true;
  }

  /** A log line in the shape of Hadoop's console log4j layout (stderr), as HAAdmin logs. */
  log(level: ConsoleLevel, message: string): void {
    this.console.log('ha.HAAdmin', level, message);
  }

  /**
   * Parity: HAAdmin.confirmForceManual → ToolRunner.confirmPrompt: asks on stderr, reads a line;
   * y/yes → true, n/no → false, anything else asks again. End of input counts as "no" (Java
   * would loop forever).
   */
  async confirmForceManual(): Promise<boolean> {
    const prompt =
      'You have specified the --forcemanual flag. This flag is dangerous, as it can induce a ' +
      'split-brain scenario that WILL CORRUPT your HDFS namespace, possibly irrecoverably.\n' +
      '\n' +
      'It is recommended not to use this flag, but instead to shut down the cluster ' +
      'and disable automatic failover if you prefer to manually manage your HA state.\n' +
      '\n' +
      "You may abort safely by answering 'n' or hitting ^C now.\n" +
      '\n' +
      'Are you sure you want to continue?';
    for (let attempt = 0; attempt < 100; attempt++) {
      this.io.errPartial(`${prompt} (Y or N) `);
      const answer = await this.io.readLine();
      if (answer === undefined) {
        this.io.err('');
        return false;
      }
      const normalized = answer.trim().toLowerCase();
      if (normalized === 'y' || normalized === 'yes') return true;
      if (normalized === 'n' || normalized === 'no') return false;
      this.io.err(`Invalid input: ${answer}`);
    }
    return false;
  }
}

/**
 * What haadmin addresses: zkfc.service when it names one, else the NameNodes, unless the
 * configuration has ResourceManager HA and no HDFS nameservice (a ResourceManager host's conf dir).
 */
export function haAdminService(conf: HadoopConfiguration, configured: string): ServiceKind {
  if (configured === 'namenode' || configured === 'resourcemanager') return configured;
  return isRmHaEnabled(conf) && getNameserviceIds(conf).length === 0 ? 'resourcemanager' : 'namenode';
}
