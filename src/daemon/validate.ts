// The daemon's checks of a loaded configuration, shared by start-up (runZkfc) and `zkfc
// check-config`, so both refuse exactly the same things with the same exit codes. It turns the
// typed settings into what the adapters take (parsed ACL and auth, the ZooKeeper session options,
// the elector's znode paths, the parsed fencing methods of every NameNode), each parsed once.
//
// Problems come in ZKFailoverController's start-up order: automatic failover off (exit 5), bad
// ZooKeeper settings (exit 78, where Hadoop exits 1: see ExitCode.CONFIG), then fencing not
// configured (exit 4), which start-up reports only after its ZooKeeper steps, as Java does.
// Warnings do not stop the daemon: start-up logs them (and /status shows them), check-config prints
// them.

import type { ZkfcConfig } from '../config/load.js';
import type { FenceMethodSpec } from '../core/fencing/fence-spec.js';
import { ConfigError, ExitCode } from '../errors.js';
import { BadFencingConfigurationError } from '../fencing/errors.js';
import { checkFencingConfigured, describeTarget } from '../fencing/fencing-config.js';
import type { ZkAcl, ZkSessionOptions } from '../runtime/ports.js';
import { AddressAllowList, BadAddressListError } from '../ipc/admission.js';
import { HostListError, ZkfcServiceAuthorization } from '../hadoop/service-authorization.js';
import { isWorldWritable, zkAclFromConfig, zkAuthFromConfig } from '../zookeeper/acl.js';
import { electorPaths, type ElectorZnodePaths } from '../zookeeper/paths.js';
import type { ZkTlsConfig } from '../zookeeper/tls.js';
import { DFS_HTTP_POLICY_KEY, namenodeHttpConfigProblem, namenodeHttpEnabled } from './namenode-http.js';
import { zkTlsConfig } from './zk-tls.js';
import { zkSaslConfig } from './zk-sasl.js';
import type { ZkSaslConfig } from '../zookeeper/sasl.js';

/** Something unsafe the daemon starts with all the same. */
export interface ConfigWarning {
  readonly message: string;
  readonly key: string;
}

/** Why a world-writable ha.zookeeper.acl is unsafe and what to do: start-up, check-config and /status say the same. */
export const WORLD_WRITABLE_ACL_WARNING =
  "ha.zookeeper.acl is world-writable (world:anyone with more than read, Hadoop's default): any " +
  'ZooKeeper client can squat the election lock or forge the breadcrumb and stop automatic failover';
export const WORLD_WRITABLE_ACL_FIX =
  'set ha.zookeeper.acl to a digest or sasl ACL (and ha.zookeeper.auth to ' +
  'its credentials), stop every zkfc of the nameservice and run zkfc -formatZK';

export interface ConfigProblem {
  readonly message: string;
  /** The exit code start-up would end with (ExitCode). */
  readonly code: number;
  readonly key?: string;
  /** Whose configuration is at fault, for fencing problems (NameNode id). */
  readonly namenodeId?: string;
}

/** What the ZooKeeper steps and the elector use, parsed. */
export interface ZkSetup {
  readonly session: ZkSessionOptions;
  /** TLS to ZooKeeper (hadoop.zk.ssl.*); undefined: plain TCP. */
  readonly tls: ZkTlsConfig | undefined;
  /** SASL to ZooKeeper (a JAAS Client section); undefined: none. */
  readonly sasl: ZkSaslConfig | undefined;
  readonly acl: readonly ZkAcl[];
  readonly paths: ElectorZnodePaths;
}

export interface ValidatedConfig {
  /** Empty when the daemon may start. */
  readonly problems: readonly ConfigProblem[];
  readonly warnings: readonly ConfigWarning[];
  /** Undefined when a ZooKeeper setting is unusable (a problem says which). */
  readonly zk: ZkSetup | undefined;
  /** The parsed dfs.ha.fencing.methods of every NameNode whose value is usable. */
  readonly fencingMethods: ReadonlyMap<string, readonly FenceMethodSpec[]>;
  /** zkfc.rpc.allowed-addresses, parsed; undefined: every address may connect. */
  readonly rpcAllowList: AddressAllowList | undefined;
  /** hadoop.security.authorization: the ACLs and host lists of security.zkfc.protocol.*; undefined when off. */
  readonly serviceAuthorization: ZkfcServiceAuthorization | undefined;
}

export function validate(config: ZkfcConfig): ValidatedConfig {
  const { settings } = config;
  const problems: ConfigProblem[] = [];
  const warnings: ConfigWarning[] = [];

  const rm = config.resourceManager;
  // A ResourceManager running an elector of its own would fight us over its state.
  if (rm?.ownElector !== undefined) {
    problems.push({
      message: rm.ownElector.message,
      code: ExitCode.CONFIG,
      key: rm.ownElector.key ?? 'yarn.resourcemanager.ha.automatic-failover.enabled',
    });
  }

  // Step 3: automatic failover must be on (ERR_CODE_AUTO_FAILOVER_NOT_ENABLED).
  if (!settings.nameservice.automaticFailoverEnabled) {
    problems.push({
      message:
        `Automatic failover is not enabled for ` +
        `${describeTarget(config.local)}. Please ensure that automatic failover ` +
        `is enabled in the configuration (dfs.ha.automatic-failover.enabled) ` +
        `before running the ZK failover controller.`,
      code: ExitCode.AUTO_FAILOVER_NOT_ENABLED,
      key: 'dfs.ha.automatic-failover.enabled',
    });
  }

  // Step 5: ACL, auth and quorum, before connecting.
  let zk: ZkSetup | undefined;
  try {
    const acl = zkAclFromConfig(settings.zk.acl);
    if (isWorldWritable(acl))
      warnings.push({ message: `${WORLD_WRITABLE_ACL_WARNING}; ${WORLD_WRITABLE_ACL_FIX}`, key: 'ha.zookeeper.acl' });
    const authInfo = zkAuthFromConfig(settings.zk.auth ?? undefined);
    const paths = electorPaths(settings.zk.parentZnode, config.local.nameserviceId);
    const tls = zkTlsConfig(settings);
    const sasl = zkSaslConfig(settings);
    if (settings.zk.quorum.trim() === '') {
      problems.push({
        message: "Missing required configuration 'ha.zookeeper.quorum' for ZooKeeper quorum",
        code: ExitCode.CONFIG,
        key: 'ha.zookeeper.quorum',
      });
    } else {
      const session: ZkSessionOptions = {
        connectString: settings.zk.quorum,
        sessionTimeoutMs: settings.zk.sessionTimeoutMs,
        authInfo,
        operationTimeoutMs: settings.zk.operationTimeoutMs,
      };
      zk = { session, tls, sasl, acl, paths };
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push({
      message: error.message,
      code: error.exitCode,
      ...(error.key !== undefined ? { key: error.key } : {}),
    });
  }

  // Not Hadoop's: the ZKFC RPC server's allow-list must parse.
  let rpcAllowList: AddressAllowList | undefined;
  if (settings.rpc.allowedAddresses !== null) {
    try {
      rpcAllowList = AddressAllowList.parse(settings.rpc.allowedAddresses);
    } catch (error) {
      if (!(error instanceof BadAddressListError)) throw error;
      problems.push({
        message: `zkfc.rpc.allowed-addresses: ${error.message}`,
        code: ExitCode.CONFIG,
        key: 'zkfc.rpc.allowed-addresses',
      });
    }
  }

  // Parity: ZKFCRpcServer refreshes the service ACLs and host lists (ServiceAuthorizationManager,
  // MachineList) only with hadoop.security.authorization, and a bad CIDR block stops it there.
  let serviceAuthorization: ZkfcServiceAuthorization | undefined;
  const { security } = settings;
  if (security.authorization) {
    try {
      serviceAuthorization = new ZkfcServiceAuthorization({
        acl: security.zkfcProtocolAcl,
        blocked: security.zkfcProtocolAclBlocked,
        defaultAcl: security.defaultAcl,
        defaultBlockedAcl: security.defaultBlockedAcl,
        hosts: security.zkfcProtocolHosts,
        blockedHosts: security.zkfcProtocolHostsBlocked,
        defaultHosts: security.defaultHosts,
        defaultBlockedHosts: security.defaultBlockedHosts,
      });
    } catch (error) {
      if (!(error instanceof HostListError)) throw error;
      problems.push({ message: error.message, code: ExitCode.CONFIG, key: error.key });
    }
  }

  // Not Hadoop's: the NameNode HTTP view is read over plain HTTP only; it is not needed to run.
  const httpProblem = namenodeHttpEnabled(config) ? namenodeHttpConfigProblem(config) : undefined;
  if (httpProblem !== undefined) warnings.push({ message: httpProblem, key: DFS_HTTP_POLICY_KEY });

  // Step 8: fencing must be configured for every NameNode this one may have to fence, and its own.
  const fencingMethods = new Map<string, readonly FenceMethodSpec[]>();
  for (const nn of config.namenodes) {
    const value =
      nn.namenodeId === config.local.namenodeId
        ? (settings.fencing.methods ?? undefined)
        : config.fencingMethodsFor(nn.namenodeId);
    // ResourceManagers: no method is needed when the state store fences (NodeFencer's 'state-store').
    if (value === undefined && rm?.stateStore.fences === true) {
      fencingMethods.set(nn.namenodeId, []);
      continue;
    }
    try {
      fencingMethods.set(
        nn.namenodeId,
        config.service === 'resourcemanager'
          ? checkFencingConfigured(
              value,
              nn,
              `zkfc.rm.fencing.methods (the state store ${rm?.stateStore.store ?? '?'} does not fence)`,
            )
          : checkFencingConfigured(value, nn),
      );
    } catch (error) {
      if (!(error instanceof BadFencingConfigurationError)) throw error;
      problems.push({
        message: error.message,
        code: error.exitCode,
        key: error.key ?? 'dfs.ha.fencing.methods',
        namenodeId: nn.namenodeId,
      });
    }
  }
  return { problems, warnings, zk, fencingMethods, rpcAllowList, serviceAuthorization };
}
