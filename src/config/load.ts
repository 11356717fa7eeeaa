// Loads the daemon's configuration the way an operator expects: Hadoop's core-site.xml and
// hdfs-site.xml (--hadoop-conf-dir, else as Hadoop's scripts find it: conf-dir.ts), then our own
// optional file, then ZKFC_* environment variables, then -D key=value, every layer under Hadoop's
// key names. Then it finds the local NameNode, resolves every setting of src/config/schema.ts for
// it (nameservice / namenode suffixes), validates the result with convict, and returns the typed,
// frozen settings value (ZkfcSettings) plus where each value came from. This is the one place
// that defaults and validates a setting; every component receives its typed part. Only
// composition roots call it.

import { readFileSync } from 'node:fs';
import convict from 'convict';
import type { HostPort, NamenodeTarget } from '../core/types.js';
import { ConfigError, errorMessage } from '../errors.js';
import {
  AUTH_TO_LOCAL_KEY,
  AUTH_TO_LOCAL_MECHANISM_KEY,
  parseRuleMechanism,
  parseRules,
} from '../kerberos/kerberos-name.js';
import {
  DFS_NAMENODE_KERBEROS_PRINCIPAL_KEY,
  DFS_NAMENODE_KEYTAB_FILE_KEY,
  HADOOP_SECURITY_AUTHENTICATION_KEY,
  parseAuthentication,
  parseRpcProtection,
} from './authentication.js';
import { findHadoopConfDir } from './conf-dir.js';
import { HadoopConfiguration } from './hadoop-conf.js';
import { parseJavaInt, parseJavaLong } from './java-values.js';
import { JOURNAL_MAX_RECORDS_LIMIT, SETTINGS, SETTINGS_BY_KEY, type Setting, type ZkfcSettings } from './schema.js';
import {
  confForNamenode,
  detectLocalNamenode,
  getNameserviceIds,
  getNameserviceTopology,
  isHAEnabled,
  parseHostPort,
  ZKFC_CONF_KEYS,
  type LocalAddressProbe,
} from './topology.js';
import {
  confForResourceManager,
  detectLocalResourceManager,
  ownElectorProblem,
  getRmClusterTopology,
  getRmIds,
  isRmHaEnabled,
  RM_CLUSTER_ID,
  RM_HA_ID,
  stateStoreFences,
} from './yarn-topology.js';

/** The HA masters one daemon can drive (zkfc.service; 'auto' picks the one configured for this host). */
export const SERVICE_KINDS = ['auto', 'namenode', 'resourcemanager'] as const;
export type ServiceKind = 'namenode' | 'resourcemanager';

export const OWN_FILE_SOURCE_PREFIX = 'zkfc config file';

export type SettingValue = string | number | boolean | HostPort | null;

/**
 * The credential providers' view for the settings marked `credential` (Configuration#getPassword):
 * the value an alias has in the first provider holding it, or undefined; throws CredentialProviderError.
 */
export interface CredentialLookup {
  get(alias: string): { readonly value: string; readonly provider: string } | undefined;
  /** hadoop.security.credential.clear-text-fallback: false leaves a credential no provider holds unset. */
  readonly clearTextFallback: boolean;
}

export interface LoadConfigInput {
  /** --hadoop-conf-dir; when absent, findHadoopConfDir (HADOOP_CONF_DIR, HADOOP_HOME, /etc/hadoop/conf). */
  readonly hadoopConfDir?: string;
  /** --config: our own file (JSON object of key → value; full-line // comments allowed). */
  readonly configFile?: string;
  /** -D key=value overrides, in command-line order. */
  readonly defines?: readonly (readonly [string, string])[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Injectable for tests: local interface addresses and DNS. */
  readonly probe?: LocalAddressProbe;
}

/** What only a ResourceManager's daemon needs (README "ResourceManager HA"). */
export interface ResourceManagerFacts {
  /** Whether the state store fences an old active (ZKRMStateStore with recovery on), and which store it is. */
  readonly stateStore: { readonly fences: boolean; readonly store: string };
  /** Set when the local ResourceManager's yarn-site.xml runs automatic failover itself (an elector of its own). */
  readonly ownElector: ConfigError | undefined;
  /** yarn.resourcemanager.bind-host, the bind address of the ResourceManager's servers. */
  readonly bindHost: string | undefined;
}

export interface ZkfcConfig {
  /**
   * Which HA master: NameNodes of a nameservice, or ResourceManagers of a YARN cluster (the
   * cluster id in the nameservice's place, the rm-ids in the NameNode ids').
   */
  readonly service: ServiceKind;
  readonly resourceManager?: ResourceManagerFacts;
  /** Every setting, typed, defaulted and validated once (frozen). */
  readonly settings: ZkfcSettings;
  /** How the local NameNode was found: configured ids, or a local address match. */
  readonly localHow: 'configured' | 'address';
  readonly hadoopConfDir: string;
  readonly local: NamenodeTarget;
  /** Every NameNode of the nameservice, local included, in dfs.ha.namenodes order. */
  readonly namenodes: readonly NamenodeTarget[];
  readonly peers: readonly NamenodeTarget[];
  /** Where a setting's value came from: 'default', a file path, 'env ZKFC_…' or '-D'. */
  sourceOf(key: string): string;
  /** dfs.ha.fencing.methods resolved for a NameNode of the nameservice (fencing a peer); undefined when unset. */
  fencingMethodsFor(namenodeId: string): string | undefined;
  /** The configuration as a NameNode sees it (per-nn keys promoted): shell fencing's environment. */
  confForNamenode(namenodeId: string): ReadonlyMap<string, string>;
  /** The layered Hadoop configuration (all layers applied, nothing promoted). */
  readonly hadoopConf: HadoopConfiguration;
}

/** Read the layers into one HadoopConfiguration (no validation, no local NameNode yet). */
export function loadLayers(input: LoadConfigInput): { conf: HadoopConfiguration; hadoopConfDir: string } {
  const env = input.env ?? process.env;
  const found = findHadoopConfDir(
    env,
    input.hadoopConfDir !== undefined ? { name: '--hadoop-conf-dir', dir: input.hadoopConfDir } : undefined,
  );
  const hadoopConfDir = found.dir;
  // yarn-site.xml after core-site.xml, as YarnConfiguration adds it: a ResourceManager's daemon reads it.
  // hadoop-policy.xml last, as ServiceAuthorizationManager.refresh adds it to a copy of the configuration.
  const conf = found.exists
    ? HadoopConfiguration.load(hadoopConfDir, {
        env,
        files: ['core-site.xml', 'hdfs-site.xml', 'yarn-site.xml', 'hadoop-policy.xml'],
      })
    : new HadoopConfiguration({ env });

  if (input.configFile !== undefined) {
    for (const [key, value] of Object.entries(readOwnConfigFile(input.configFile))) {
      conf.set(key, value, `${OWN_FILE_SOURCE_PREFIX} ${input.configFile}`);
    }
  }
  for (const setting of SETTINGS) {
    const value = env[setting.env];
    if (value !== undefined) conf.set(setting.key, value, `env ${setting.env}`);
  }
  for (const [key, value] of input.defines ?? []) conf.set(key, value, '-D');
  return { conf, hadoopConfDir };
}

/** Our own file: a JSON object of Hadoop-style keys to string/number/boolean values. */
export function readOwnConfigFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}: ${errorMessage(cause)}`, undefined, path, { cause });
  }
  // Full-line // comments are blanked (not removed) so JSON error positions still match the file.
  const json = text.replace(/^[ \t]*\/\/.*$/gm, (line) => ' '.repeat(line.length));
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${errorMessage(cause)}`, undefined, path, { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold one JSON object of "key": value pairs`, undefined, path);
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      result[key] = String(value);
    else throw new ConfigError(`config file ${path}: value of "${key}" must be a string, number or boolean`, key, path);
  }
  return result;
}

/** Load, find the local NameNode, resolve and validate every setting. Throws ConfigError. */
export async function loadZkfcConfig(input: LoadConfigInput): Promise<ZkfcConfig> {
  const { conf, hadoopConfDir } = loadLayers(input);
  // The ids first (no per-namenode view exists before the local NameNode is known).
  const ids = resolveSettings(conf, undefined, undefined);
  const credentials = await openCredentialProviders(ids.settings, hadoopConfDir, input.env ?? process.env);
  const service = await chooseService(conf, ids.settings.nameservice, input.probe);
  if (service === 'resourcemanager')
    return loadResourceManagerConfig(
      conf,
      hadoopConfDir,
      input.probe,
      ids.settings.nameservice.namenodeId,
      credentials,
    );
  const localNn = await detectLocalNamenode(conf, input.probe, {
    nameserviceId: ids.settings.nameservice.nameserviceId,
    namenodeId: ids.settings.nameservice.namenodeId,
  });
  const ns = localNn.nameserviceId;
  if (!isHAEnabled(conf, ns)) {
    throw new ConfigError(
      `HA is not enabled for this namenode. (nameservice ${ns}: ` +
        `dfs.ha.namenodes.${ns} must list at least two NameNodes with an RPC address)`,
      `dfs.ha.namenodes.${ns}`,
    );
  }
  const topology = getNameserviceTopology(conf, ns);
  const local = topology.namenodes.find((nn) => nn.namenodeId === localNn.namenodeId);
  if (local === undefined) {
    throw new ConfigError(
      `NameNode ${localNn.namenodeId} is not listed in dfs.ha.namenodes.${ns} (${topology.namenodeIds.join(',')})`,
      `dfs.ha.namenodes.${ns}`,
    );
  }
  const extraKeys = [...ZKFC_CONF_KEYS, ...SETTINGS.filter((s) => s.suffix === 'nn').map((s) => s.key)];
  const perNamenode = new Map<string, HadoopConfiguration>();
  const viewOf = (nnId: string): HadoopConfiguration => {
    let view = perNamenode.get(nnId);
    if (view === undefined) {
      view = confForNamenode(conf, ns, nnId, extraKeys);
      perNamenode.set(nnId, view);
    }
    return view;
  };

  const { settings, values, sources, problems } = resolveSettings(conf, viewOf(local.namenodeId), ns, credentials);
  if (problems.length > 0) {
    const first = problems[0]!.split(':')[0];
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, first);
  }

  const result: ZkfcConfig = {
    service: 'namenode',
    settings,
    localHow: localNn.how,
    hadoopConfDir,
    local,
    namenodes: topology.namenodes,
    peers: topology.namenodes.filter((nn) => nn.namenodeId !== local.namenodeId),
    hadoopConf: conf,
    sourceOf(key: string): string {
      return sources.get(key) ?? 'unknown';
    },
    fencingMethodsFor(namenodeId: string): string | undefined {
      return viewOf(namenodeId).getTrimmed('dfs.ha.fencing.methods');
    },
    confForNamenode(namenodeId: string): ReadonlyMap<string, string> {
      return new Map(viewOf(namenodeId).entries({ expand: true }));
    },
  };
  describedValues.set(result, values);
  return Object.freeze(result);
}

/**
 * Which HA master this daemon drives. zkfc.service decides when set; 'auto' takes the NameNode
 * when only HDFS HA is configured, the ResourceManager when only YARN HA is, and when both are,
 * the one this host runs; a host that runs both needs zkfc.service (one daemon per master).
 */
async function chooseService(
  conf: HadoopConfiguration,
  ids: ZkfcSettings['nameservice'],
  probe: LocalAddressProbe | undefined,
): Promise<ServiceKind> {
  if (ids.service === 'namenode' || ids.service === 'resourcemanager') return ids.service;
  if (ids.service !== 'auto')
    throw new ConfigError(`zkfc.service: "${ids.service}" is not one of ${SERVICE_KINDS.join(', ')}`, 'zkfc.service');
  if (!isRmHaEnabled(conf)) return 'namenode';
  const nameservices = getNameserviceIds(conf);
  if (nameservices.length === 0 && ids.nameserviceId === null) return 'resourcemanager';
  // The systemd unit's instance `<cluster-id>.<rm-id>` arrives as dfs.nameservice.id / dfs.ha.namenode.id.
  if (
    ids.nameserviceId !== null &&
    !nameservices.includes(ids.nameserviceId) &&
    ids.nameserviceId === conf.getTrimmed(RM_CLUSTER_ID)
  )
    return 'resourcemanager';
  const found = async (detect: () => Promise<unknown>): Promise<boolean> =>
    detect().then(
      () => true,
      (error: unknown) => {
        if (error instanceof ConfigError) return false;
        throw error;
      },
    );
  const nn = await found(() =>
    detectLocalNamenode(conf, probe, { nameserviceId: ids.nameserviceId, namenodeId: ids.namenodeId }),
  );
  const rm = await found(() => detectLocalResourceManager(conf, probe));
  if (nn && rm) {
    throw new ConfigError(
      'this host runs both a NameNode and a ResourceManager (hdfs-site.xml and yarn-site.xml both name it): ' +
        'run one zkfc per HA master and set zkfc.service to namenode or resourcemanager for each',
      'zkfc.service',
    );
  }
  return rm ? 'resourcemanager' : 'namenode';
}

/**
 * A ResourceManager's daemon: the rm-ids of yarn-site.xml as targets (admin address for
 * HAServiceProtocol), every setting read through the ResourceManager's view (yarn keys on the
 * settings' key names, `<key>.<rmId>` promoted for per-daemon settings).
 */
async function loadResourceManagerConfig(
  conf: HadoopConfiguration,
  hadoopConfDir: string,
  probe: LocalAddressProbe | undefined,
  unitId: string | null,
  credentials: CredentialLookup | undefined,
): Promise<ZkfcConfig> {
  // yarn.resourcemanager.ha.id, else the id the systemd unit passes (dfs.ha.namenode.id) when it is an rm-id.
  const configured =
    conf.getTrimmed(RM_HA_ID) || (unitId !== null && getRmIds(conf).includes(unitId) ? unitId : null) || null;
  const localRm = await detectLocalResourceManager(conf, probe, configured);
  const topology = getRmClusterTopology(conf);
  const local = topology.resourceManagers.find((rm) => rm.namenodeId === localRm.rmId)!;
  const perNode = SETTINGS.filter((s) => s.suffix === 'nn').map((s) => s.key);
  const views = new Map<string, HadoopConfiguration>();
  const viewOf = (rmId: string): HadoopConfiguration => {
    let view = views.get(rmId);
    if (view === undefined) {
      view = confForResourceManager(conf, rmId);
      for (const key of perNode) {
        const suffixed = `${key}.${rmId}`;
        if (view.has(suffixed)) view.set(key, view.getRaw(suffixed) ?? '', view.source(suffixed) ?? suffixed);
      }
      views.set(rmId, view);
    }
    return view;
  };
  const localView = viewOf(local.namenodeId);
  const resolved = resolveSettings(localView, localView, undefined, credentials);
  const { settings, values, sources } = resolved;
  const problems = [...resolved.problems];
  if (!localView.has('ha.zookeeper.quorum')) {
    problems.unshift(
      "hadoop.zk.address: not set (nor yarn.resourcemanager.zk-address): the ResourceManagers' ZooKeeper quorum",
    );
  }
  if (problems.length > 0) {
    const first = problems[0]!.split(':')[0];
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, first);
  }
  const bindHost = localView.getTrimmed('yarn.resourcemanager.bind-host');
  const result: ZkfcConfig = {
    service: 'resourcemanager',
    resourceManager: {
      stateStore: stateStoreFences(conf),
      ownElector: ownElectorProblem(conf, local.namenodeId),
      bindHost: bindHost === '' ? undefined : bindHost,
    },
    settings,
    localHow: localRm.how,
    hadoopConfDir,
    local,
    namenodes: topology.resourceManagers,
    peers: topology.resourceManagers.filter((rm) => rm.namenodeId !== local.namenodeId),
    hadoopConf: conf,
    sourceOf(key: string): string {
      return sources.get(key) ?? 'unknown';
    },
    fencingMethodsFor(rmId: string): string | undefined {
      return viewOf(rmId).getTrimmed('dfs.ha.fencing.methods');
    },
    confForNamenode(rmId: string): ReadonlyMap<string, string> {
      return new Map(viewOf(rmId).entries({ expand: true }));
    },
  };
  describedValues.set(result, values);
  return Object.freeze(result);
}

/**
 * The typed settings of a configuration without a local NameNode (haadmin): every key read as
 * written, or with its `.<nameserviceId>` suffix when one is given (no namenode suffixes). Throws
 * ConfigError on a bad value.
 */
export function settingsFromConf(
  conf: HadoopConfiguration,
  nameserviceId?: string,
  credentials?: CredentialLookup,
): ZkfcSettings {
  const { settings, problems } = resolveSettings(conf, undefined, nameserviceId, credentials, 'client');
  if (problems.length > 0) {
    const first = problems[0]!.split(':')[0];
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, first);
  }
  return settings;
}

/** Every setting at its default (tests, the simulation): the table's defaults as a typed value. */
export function defaultSettings(): ZkfcSettings {
  return resolveSettings(new HadoopConfiguration({ env: {} }), undefined, undefined).settings;
}

/** The values check-config prints, by key, for each loaded configuration. */
const describedValues = new WeakMap<ZkfcConfig, ReadonlyMap<string, SettingValue>>();

interface Resolved {
  readonly settings: ZkfcSettings;
  readonly values: ReadonlyMap<string, SettingValue>;
  readonly sources: ReadonlyMap<string, string>;
  readonly problems: readonly string[];
}

/**
 * hadoop.security.credential.provider.path opened (src/security/credential-provider.ts, loaded only
 * when a path is set: it brings node:crypto), or undefined without one. Throws ConfigError for a
 * provider that cannot be used. A relative password file is looked for in `confDir`.
 */
export async function openCredentialProviders(
  settings: ZkfcSettings,
  confDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CredentialLookup> {
  const clearTextFallback = settings.credentials.clearTextFallback;
  const providerPath = settings.credentials.providerPath;
  if (providerPath === null) return { get: () => undefined, clearTextFallback };
  const { CredentialProviders, CredentialProviderError } = await import('../security/credential-provider.js');
  try {
    const providers = CredentialProviders.open({
      path: providerPath,
      pathKey: CREDENTIAL_PROVIDER_PATH_KEY,
      passwordFile: settings.credentials.passwordFile,
      passwordFileKey: CREDENTIAL_PASSWORD_FILE_KEY,
      env,
      confDir,
    });
    return { get: (alias) => providers.get(alias), clearTextFallback };
  } catch (error) {
    if (!(error instanceof CredentialProviderError)) throw error;
    throw new ConfigError(error.message, CREDENTIAL_PROVIDER_PATH_KEY, undefined, { cause: error });
  }
}

const CREDENTIAL_PROVIDER_PATH_KEY = 'hadoop.security.credential.provider.path';
const CREDENTIAL_PASSWORD_FILE_KEY = 'hadoop.security.credstore.java-keystore-provider.password-file';
const CLEAR_TEXT_FALLBACK_KEY = 'hadoop.security.credential.clear-text-fallback';

/** Convert, validate and default every row of SETTINGS once; build the typed, frozen value. */
function resolveSettings(
  conf: HadoopConfiguration,
  localView: HadoopConfiguration | undefined,
  ns: string | undefined,
  credentials?: CredentialLookup,
  role: 'daemon' | 'client' = 'daemon',
): Resolved {
  const values = new Map<string, SettingValue>();
  const sources = new Map<string, string>();
  const problems: string[] = [];
  for (const setting of SETTINGS) {
    let { raw, source } = rawSetting(setting, conf, localView, ns);
    if (setting.credential === true && credentials !== undefined) {
      try {
        // Configuration#getPassword: the providers first, then the XML while clear-text fallback is on.
        const found = credentials.get(setting.key);
        if (found !== undefined)
          ({ raw, source } = { raw: found.value, source: `credential provider ${found.provider}` });
        else if (!credentials.clearTextFallback && raw !== undefined)
          ({ raw, source } = { raw: undefined, source: `default (${CLEAR_TEXT_FALLBACK_KEY} is false)` });
      } catch (error) {
        problems.push(`${setting.key}: ${errorMessage(error)}`);
      }
    }
    sources.set(setting.key, source);
    try {
      values.set(setting.key, convert(setting, raw));
    } catch (error) {
      problems.push(`${setting.key}: ${errorMessage(error)} (from ${source})`);
    }
  }
  validateWithConvict(values, problems);
  // Derived value: an operation deadline of 0 means "the session timeout".
  const sessionTimeoutMs = values.get('ha.zookeeper.session-timeout.ms');
  if (values.get('zkfc.zookeeper.operation-timeout.ms') === 0 && typeof sessionTimeoutMs === 'number') {
    values.set('zkfc.zookeeper.operation-timeout.ms', sessionTimeoutMs);
    sources.set(
      'zkfc.zookeeper.operation-timeout.ms',
      `${sources.get('zkfc.zookeeper.operation-timeout.ms') ?? 'default'}: 0 = ha.zookeeper.session-timeout.ms`,
    );
  }
  const groups: Record<string, Record<string, SettingValue>> = {};
  for (const setting of SETTINGS) {
    const group = (groups[setting.group] ??= {});
    group[setting.field] = values.get(setting.key) ?? setting.default;
  }
  for (const group of Object.values(groups)) Object.freeze(group);
  // The table's type (SettingsTable in schema.ts) guarantees one row per field of ZkfcSettings.
  const settings = Object.freeze(groups) as unknown as ZkfcSettings;
  crossCheck(settings, problems, role);
  return { settings, values, sources, problems };
}

function rawSetting(
  setting: Setting,
  conf: HadoopConfiguration,
  localView: HadoopConfiguration | undefined,
  ns: string | undefined,
): { raw: string | undefined; source: string } {
  let key: string | undefined;
  let view = conf;
  if (setting.suffix === 'nn' && localView !== undefined) {
    view = localView; // per-nn and per-ns keys are already promoted to the generic key here
    key = view.has(setting.key) ? setting.key : undefined;
  } else if (setting.suffix !== undefined && ns !== undefined) {
    key = conf.resolveSuffixedKey(setting.key, ns);
  } else {
    key = conf.has(setting.key) ? setting.key : undefined;
  }
  if (key === undefined) return { raw: undefined, source: 'default' };
  return { raw: view.get(key), source: view.source(key) ?? 'unknown' };
}

function convert(setting: Setting, raw: string | undefined): SettingValue {
  if (raw === undefined) {
    if (setting.format === 'host-port' && typeof setting.default === 'string')
      return parseHostPort(setting.default, setting.key);
    return setting.default;
  }
  const text = raw.trim();
  switch (setting.format) {
    case 'string':
      return raw === ' ' ? raw : text; // dfs.cluster.administrators defaults to a single space
    case 'optional-string':
      return text === '' ? null : raw.replace(/^\s+|\s+$/g, '');
    case 'boolean':
    case 'optional-boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === '' && setting.format === 'optional-boolean') return null;
      throw new Error(`"${raw}" is not true or false`);
    }
    case 'nat': {
      const n = parseJavaInt(text);
      if (n === undefined) throw new Error(`"${raw}" is not an integer`);
      if (n < 0) throw new Error(`${n} must not be negative`);
      return n;
    }
    case 'int-ms':
    case 'long-ms': {
      // Hadoop reads these keys with getInt / getLong, which refuse a unit suffix ("10s").
      const n = setting.format === 'int-ms' ? parseJavaInt(text) : parseJavaLong(text);
      const java = setting.format === 'int-ms' ? 'int' : 'long';
      if (n === undefined)
        throw new Error(
          `"${raw}" is not a number of milliseconds (Hadoop reads ` +
            `this key as a Java ${java}: digits only, no unit suffix)`,
        );
      if (n < 0) throw new Error(`${n} ms must not be negative`);
      return n;
    }
    case 'port': {
      const n = parseJavaInt(text);
      if (n === undefined || n < 0 || n > 65535) throw new Error(`"${raw}" is not a port number (0-65535)`);
      return n;
    }
    case 'host-port':
      return parseHostPort(text, setting.key);
  }
}

/** A convict schema built from SETTINGS: one more check of types and unknown keys. */
function validateWithConvict(values: ReadonlyMap<string, SettingValue>, problems: string[]): void {
  const schema: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    // A value that did not convert is already reported with its source; convict would only add
    // a second, vaguer line for the same key ("must be a positive integer").
    if (!values.has(setting.key)) continue;
    // convict nests dotted keys and reads a `default` member as a leaf's default: a key under another
    // key's leaf (security.zkfc.protocol.acl.blocked) or with a `default` part
    // (security.service.authorization.default.acl) cannot be placed. Those are plain strings.
    if (!convictCanPlace(setting.key)) continue;
    const format = convictFormat(setting);
    setPath(schema, setting.key, {
      doc: setting.doc,
      format,
      default: setting.default,
      nullable: setting.default === null,
      ...(setting.sensitive ? { sensitive: true } : {}),
    });
    setPath(data, setting.key, displayValue(values.get(setting.key) ?? null));
  }
  try {
    const config = convict(schema as convict.Schema<Record<string, unknown>>, { env: {}, args: [] });
    config.load(data);
    config.validate({ allowed: 'strict' });
  } catch (error) {
    problems.push(
      ...errorMessage(error)
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
  }
}

/** Whether convict's nested schema can hold `key` (see validateWithConvict). */
function convictCanPlace(key: string): boolean {
  if (key.split('.').some((part) => ['default', 'doc', 'format', 'env', 'arg'].includes(part))) return false;
  return !SETTINGS.some((other) => key.startsWith(`${other.key}.`));
}

function convictFormat(setting: Setting): unknown {
  switch (setting.format) {
    case 'boolean':
    case 'optional-boolean':
      return Boolean;
    case 'nat':
    case 'int-ms':
    case 'long-ms':
      return 'nat';
    case 'port':
      return 'port';
    case 'string':
    case 'optional-string':
    case 'host-port':
      return String;
  }
}

function setPath(target: Record<string, unknown>, dottedKey: string, value: unknown): void {
  const parts = dottedKey.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Longest anti-flap window accepted: a day (a longer one would hold a failover back for days). */
const MAX_ANTI_FLAP_WINDOW_MS = 86_400_000;

/** Checks across keys, with Hadoop's messages where Hadoop has them. */
/** `client`: haadmin, which authenticates from the user's ticket cache and needs no keytab of its own. */
function crossCheck(settings: ZkfcSettings, problems: string[], role: 'daemon' | 'client'): void {
  if (settings.zk.sessionTimeoutMs <= 0) problems.push('ha.zookeeper.session-timeout.ms: must be greater than 0');
  if (settings.health.checkIntervalMs <= 0)
    problems.push('ha.health-monitor.check-interval.ms: must be greater than 0');
  if (settings.pause.checkIntervalMs <= 0) problems.push('zkfc.pause.check-interval.ms: must be greater than 0');
  if (settings.pause.maxTtlMs <= 0) problems.push('zkfc.pause.max-ttl.ms: must be greater than 0');
  if (settings.failover.zkOpRetries < 1)
    problems.push('ha.failover-controller.active-standby-elector.zk.op.retries: must be at least 1');
  const { rpc } = settings;
  if (rpc.maxConnections < 1) problems.push('zkfc.rpc.max-connections: must be at least 1');
  if (rpc.maxConnectionsPerAddress < 1) problems.push('zkfc.rpc.max-connections-per-address: must be at least 1');
  if (rpc.setupTimeoutMs <= 0) problems.push('zkfc.rpc.setup-timeout.ms: must be greater than 0');
  if (rpc.connectionMaxIdleTimeMs <= 0) problems.push('ipc.client.connection.maxidletime: must be greater than 0');
  if (settings.namenodeHttp.timeoutMs <= 0) problems.push('zkfc.namenode-http.timeout.ms: must be greater than 0');
  if (settings.journal.maxRecords > JOURNAL_MAX_RECORDS_LIMIT)
    problems.push(`zkfc.journal.max-records: ${settings.journal.maxRecords} is more than ${JOURNAL_MAX_RECORDS_LIMIT}`);
  const { antiFlap } = settings;
  if (antiFlap.maxFailovers > 0 && antiFlap.windowMs <= 0)
    problems.push('zkfc.anti-flap.window.ms: must be greater than 0 while zkfc.anti-flap.max-failovers is not 0');
  if (antiFlap.windowMs > MAX_ANTI_FLAP_WINDOW_MS)
    problems.push(`zkfc.anti-flap.window.ms: ${antiFlap.windowMs} is more than a day (${MAX_ANTI_FLAP_WINDOW_MS})`);
  const { readiness } = settings;
  if (readiness.enabled && settings.clusterView.intervalMs <= 0)
    problems.push(
      'zkfc.readiness.enabled: the readiness gate needs zkfc.cluster-view.interval.ms > 0 (its escape hatch ' +
        'counts the time without an active NameNode from the cluster view); set zkfc.readiness.enabled=false ' +
        'to turn the gate off',
    );
  if (readiness.enabled && readiness.escapeAfterMs <= 0)
    problems.push('zkfc.readiness.escape-after.ms: must be greater than 0');
  const gracefulCedeMs = 2 * settings.failover.gracefulFenceRpcTimeoutMs;
  if (rpc.maxCedeMs < gracefulCedeMs) {
    problems.push(
      `zkfc.rpc.cede.max.ms: ${rpc.maxCedeMs} is less than the ${gracefulCedeMs} ms a ` +
        `graceful failover cedes for (twice ha.failover-controller.graceful-fence.rpc-timeout.ms)`,
    );
  }
  const { security } = settings;
  const auth = parseAuthentication(security.authentication);
  if (typeof auth !== 'string') problems.push(auth.problem);
  const protection = parseRpcProtection(security.rpcProtection);
  if (!Array.isArray(protection)) problems.push(protection.problem);
  if (auth === 'kerberos') {
    // Parity: SecurityUtil.login ("Running in secure mode, but config doesn't have a keytab"), which
    // only the daemon calls (DFSZKFailoverController.loginAsFCUser); `hdfs haadmin` uses the user's
    // ticket cache and never reads dfs.namenode.keytab.file.
    if (role === 'daemon' && (security.namenodeKeytab === null || security.namenodeKeytab.trim() === ''))
      problems.push(`${DFS_NAMENODE_KEYTAB_FILE_KEY}: required with ${HADOOP_SECURITY_AUTHENTICATION_KEY}=kerberos`);
    if (security.namenodePrincipal === null || security.namenodePrincipal.trim() === '')
      problems.push(
        `${DFS_NAMENODE_KERBEROS_PRINCIPAL_KEY}: required with ${HADOOP_SECURITY_AUTHENTICATION_KEY}=kerberos`,
      );
  }
  // Parity: HadoopKerberosName.setConfiguration (every Hadoop process, haadmin too) refuses rules
  // and a mechanism that do not parse.
  try {
    parseRuleMechanism(security.authToLocalMechanism);
  } catch (error) {
    problems.push(`${AUTH_TO_LOCAL_MECHANISM_KEY}: ${errorMessage(error)}`);
  }
  if (security.authToLocal !== null) {
    try {
      parseRules(security.authToLocal);
    } catch (error) {
      problems.push(`${AUTH_TO_LOCAL_KEY}: ${errorMessage(error)}`);
    }
  }
  if (!(SERVICE_KINDS as readonly string[]).includes(settings.nameservice.service))
    problems.push(`zkfc.service: "${settings.nameservice.service}" is not one of ${SERVICE_KINDS.join(', ')}`);
}

/** A value as check-config prints it (host:port for addresses). */
function displayValue(value: SettingValue): string | number | boolean | null {
  return value !== null && typeof value === 'object' ? `${value.host}:${value.port}` : value;
}

/** The settings with their values and sources, secrets redacted: what `zkfc check-config` prints. */
export function describeConfig(config: ZkfcConfig): Array<{ key: string; value: string; source: string }> {
  const values = describedValues.get(config);
  return SETTINGS.map((setting) => {
    const value = displayValue(values?.get(setting.key) ?? null);
    const shown =
      setting.sensitive && value !== null ? '[redacted]' : value === null ? '(unset)' : JSON.stringify(value);
    return { key: setting.key, value: shown, source: config.sourceOf(setting.key) };
  });
}

export { SETTINGS_BY_KEY };
