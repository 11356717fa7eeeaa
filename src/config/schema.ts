// Every setting of the daemon, in one table: its key (Hadoop's own key name where Hadoop has the
// setting, `zkfc.*` for ours), doc, format, default, environment variable, whether Hadoop resolves
// it per nameservice / per namenode (DFSUtil suffix rules), and the field of the typed settings
// value (`ZkfcSettings`) it fills. The defaults here are the only ones: the core and the runtime
// take every value from this table, through src/config/load.ts, which fills it from defaults <
// Hadoop XML < our own config file < environment < -D key=value, validates it once and freezes it.
//
// One name per setting: the field name below is the name the setting has in every layer (the
// component option, the core's config), e.g. zk.op.retries is `zkOpRetries` everywhere.

import type { HostPort } from '../core/types.js';

/**
 * How a value is parsed. 'int-ms' / 'long-ms': milliseconds as Hadoop reads them with
 * Configuration#getInt / #getLong (decimal or 0x hex, no unit suffix: `10s` is refused, as
 * Hadoop's own daemons and tools refuse it), never negative.
 */
export type SettingFormat =
  'string' | 'nat' | 'int-ms' | 'long-ms' | 'boolean' | 'optional-boolean' | 'port' | 'host-port' | 'optional-string';

/** ZooKeeper: how to reach it, and where and how the elector's znodes live. */
export interface ZkSettings {
  /** ha.zookeeper.quorum, as the ZooKeeper client's connect string. */
  readonly quorum: string;
  readonly sessionTimeoutMs: number;
  readonly parentZnode: string;
  /** ha.zookeeper.acl as configured (parsed by src/zookeeper/acl.ts at start-up). */
  readonly acl: string;
  readonly auth: string | null;
  /** Deadline of each ZooKeeper operation; a configured 0 is resolved to the session timeout. */
  readonly operationTimeoutMs: number;
  /** Stay up and keep retrying while ZooKeeper is unreachable (false: exit as Hadoop's ZKFC does). */
  readonly retryForever: boolean;
  /** Longest wait between two connection attempts while retrying. */
  readonly retryMaxBackoffMs: number;
  /** The JAAS file for ZooKeeper SASL ('' = java.security.auth.login.config of HADOOP_ZKFC_OPTS, else no SASL). */
  readonly jaasFile: string | null;
  /** Its section (zookeeper.sasl.clientconfig). */
  readonly jaasSection: string;
}

/**
 * ZooKeeper over TLS, with Hadoop 3.4's keys: DFSZKFailoverController#isSSLEnabled reads
 * hadoop.zk.ssl.enabled, and when it is unset dfs.ha.zkfc.client.ssl.enabled (default false);
 * SecurityUtil.TruststoreKeystore reads the four store keys, and SecurityUtil#validateSslConfiguration
 * requires every one of them. Read by src/daemon/zk-tls.ts.
 */
export interface ZkSslSettings {
  /** hadoop.zk.ssl.enabled; null (unset): dfs.ha.zkfc.client.ssl.enabled decides. */
  readonly enabled: boolean | null;
  /** dfs.ha.zkfc.client.ssl.enabled. */
  readonly zkfcClientEnabled: boolean;
  readonly keystoreLocation: string | null;
  readonly keystorePassword: string | null;
  readonly truststoreLocation: string | null;
  readonly truststorePassword: string | null;
  /** The server certificate must name the host we connect to (ZooKeeper's zookeeper.ssl.hostnameVerification). */
  readonly hostnameVerification: boolean;
}

/**
 * Hadoop's credential providers (Configuration#getPassword): where the passwords of the settings
 * marked `credential` are looked up before the XML (src/security/credential-provider.ts).
 */
export interface CredentialSettings {
  /** hadoop.security.credential.provider.path: jceks://file/… and localjceks://file/… stores. */
  readonly providerPath: string | null;
  /** Without an alias in a provider, the XML value is used (false: it is not). */
  readonly clearTextFallback: boolean;
  /** The file whose content is the stores' password (else $HADOOP_CREDSTORE_PASSWORD, else "none"). */
  readonly passwordFile: string | null;
}

/** ha.failover-controller.*: the elector's retries and the controller's RPC timeouts. */
export interface FailoverSettings {
  readonly zkOpRetries: number;
  readonly newActiveRpcTimeoutMs: number;
  /** Graceful fence of the old active, the local stand-down on cede; cede lasts twice this. */
  readonly gracefulFenceRpcTimeoutMs: number;
  readonly gracefulFenceConnectionRetries: number;
  readonly cliCheckRpcTimeoutMs: number;
}

/**
 * Anti-flap (README "Anti-flap"): at most maxFailovers automatic failovers (lock-holder changes
 * seen in ZooKeeper) in windowMs; beyond it an active whose NameNode answers but is unhealthy stays
 * active. 0 failovers = off.
 */
export interface AntiFlapSettings {
  readonly maxFailovers: number;
  readonly windowMs: number;
}

/** ha.health-monitor.* and how fast a closed NameNode connection is noticed. */
export interface HealthMonitorSettings {
  readonly checkIntervalMs: number;
  readonly connectRetryIntervalMs: number;
  readonly rpcTimeoutMs: number;
  readonly sleepAfterDisconnectMs: number;
  readonly probeOnDisconnect: boolean;
}

/** Hadoop IPC client settings. */
export interface IpcSettings {
  readonly connectTimeoutMs: number;
}

/** Fencing methods and their bounds. */
export interface FencingSettings {
  /** dfs.ha.fencing.methods for the local NameNode (peers: ZkfcConfig.fencingMethodsFor). */
  readonly methods: string | null;
  readonly sshConnectTimeoutMs: number;
  readonly sshPrivateKeyFiles: string | null;
  readonly sshCommandTimeoutMs: number;
  readonly shellTimeoutMs: number;
  readonly preflightIntervalMs: number;
}

/** The NameNode /stacks capture when the NameNode turns unhealthy (DFSZKFailoverController). */
export interface StacksSettings {
  /** 0 disables the capture. */
  readonly httpTimeoutMs: number;
  /** Where the last captures are kept as files; null keeps none (the log only). */
  readonly dir: string | null;
}

/** The local NameNode's HTTP view (JMX beans and /isActive), read on its own timer. */
export interface NameNodeHttpSettings {
  /** Between the end of one read and the start of the next; 0 disables the view. */
  readonly intervalMs: number;
  /** Deadline of one read (every request of it); must be > 0. */
  readonly timeoutMs: number;
}

/** The heap reducer: memory given back after the heap has grown (runtime/heap-reducer.ts). */
export interface HeapSettings {
  /** Between two looks at the heap; 0 disables the reducer. */
  readonly reduceIntervalMs: number;
}

/** The cluster view: this daemon asking every NameNode of the nameservice for its state (runtime/cluster-view.ts). */
export interface ClusterViewSettings {
  /** 0 disables the view. */
  readonly intervalMs: number;
}

/** The readiness gate (README "Readiness-gated promotion"; not in Hadoop; core/controller/readiness.ts). */
export interface ReadinessSettings {
  readonly enabled: boolean;
  readonly maxEditsAgeMs: number;
  readonly maxLagTxns: number;
  readonly escapeAfterMs: number;
  readonly raceHandicapMs: number;
}

/** The local NameNode as configured, and the nameservice's switch for automatic failover. */
export interface NameserviceSettings {
  /** zkfc.service: which HA master this daemon drives ('auto', 'namenode', 'resourcemanager'). */
  readonly service: string;
  readonly automaticFailoverEnabled: boolean;
  /** dfs.nameservice.id; null: the only nameservice, or the one holding a local address. */
  readonly nameserviceId: string | null;
  /** dfs.ha.namenode.id; null: the NameNode whose address is local. */
  readonly namenodeId: string | null;
}

/** The daemon's own servers: the ZKFCProtocol RPC server and the read-only HTTP listener. */
export interface ServerSettings {
  readonly zkfcPort: number;
  readonly clusterAdministrators: string;
  readonly httpAddress: HostPort;
}

/**
 * Bounds of the ZKFCProtocol RPC server against hostile or broken clients (README, "Security
 * model"): who may connect, how many, for how long, and how long a cede may last.
 */
export interface RpcServerSettings {
  /** Comma-separated addresses and CIDR blocks allowed to connect; null: every address. */
  readonly allowedAddresses: string | null;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  /** Deadline for the preamble and the connection context after connecting. */
  readonly setupTimeoutMs: number;
  /** ipc.client.connection.maxidletime: the server closes connections idle for twice this (Hadoop's Server). */
  readonly connectionMaxIdleTimeMs: number;
  /** Longest cedeActive honoured; a longer one is refused. */
  readonly maxCedeMs: number;
}

/** The maintenance pause (README "Maintenance pause"; not in Hadoop). */
export interface PauseSettings {
  /** Fallback re-read of the pause znode (a watch brings changes at once). */
  readonly checkIntervalMs: number;
  /** Longest pause honoured, counted from when it was set; haadmin refuses a longer TTL. */
  readonly maxTtlMs: number;
}

/** The failover journal (README "Failover journal"; not in Hadoop). */
export interface JournalSettings {
  /** Entries kept in ZooKeeper (and per local file); 0 turns the journal off. */
  readonly maxRecords: number;
  /** The local file; null: failover-journal-<ns>.<nn>.jsonl in the daemon's state or log directory. */
  readonly file: string | null;
}

/** Kerberos on Hadoop IPC (README "Kerberos"). */
export interface SecuritySettings {
  /** `simple` or `kerberos` (load.ts refuses anything else). */
  readonly authentication: string;
  /** hadoop.rpc.protection: authentication, integrity, privacy, comma-separated, most preferred first. */
  readonly rpcProtection: string;
  /** The NameNodes' principal, `_HOST` standing for each one's host; the daemon logs in as the local one. */
  readonly namenodePrincipal: string | null;
  readonly namenodeKeytab: string | null;
  readonly fallbackToSimpleAuthAllowed: boolean;
  /** hadoop.security.authorization: service-level authorization on the ZKFC RPC server. */
  readonly authorization: boolean;
  /** security.zkfc.protocol.acl (hadoop-policy.xml); null: the default ACL. */
  readonly zkfcProtocolAcl: string | null;
  /** security.zkfc.protocol.acl.blocked; null: the default blocked ACL. */
  readonly zkfcProtocolAclBlocked: string | null;
  readonly defaultAcl: string;
  readonly defaultBlockedAcl: string;
  /** security.zkfc.protocol.hosts (hadoop-policy.xml); null: the default host list. */
  readonly zkfcProtocolHosts: string | null;
  /** security.zkfc.protocol.hosts.blocked; null: the default blocked host list. */
  readonly zkfcProtocolHostsBlocked: string | null;
  readonly defaultHosts: string;
  readonly defaultBlockedHosts: string;
  /** hadoop.security.auth_to_local rules; null: DEFAULT. */
  readonly authToLocal: string | null;
  /** hadoop.security.auth_to_local.mechanism: hadoop or mit. */
  readonly authToLocalMechanism: string;
}

export interface LogSettings {
  readonly level: string;
}

/** The daemon's whole configuration as typed values, one field per row of SETTINGS. */
export interface ZkfcSettings {
  readonly zk: ZkSettings;
  readonly zkSsl: ZkSslSettings;
  readonly credentials: CredentialSettings;
  readonly failover: FailoverSettings;
  readonly antiFlap: AntiFlapSettings;
  readonly health: HealthMonitorSettings;
  readonly ipc: IpcSettings;
  readonly fencing: FencingSettings;
  readonly stacks: StacksSettings;
  readonly pause: PauseSettings;
  readonly journal: JournalSettings;
  readonly namenodeHttp: NameNodeHttpSettings;
  readonly clusterView: ClusterViewSettings;
  readonly heap: HeapSettings;
  readonly readiness: ReadinessSettings;
  readonly nameservice: NameserviceSettings;
  readonly server: ServerSettings;
  readonly rpc: RpcServerSettings;
  readonly security: SecuritySettings;
  readonly log: LogSettings;
}

export type SettingGroup = keyof ZkfcSettings;

/** The format a field's type allows (compile-time check that table and typed value agree). */
type FormatFor<T> = [T] extends [boolean]
  ? 'boolean'
  : [T] extends [boolean | null]
    ? 'optional-boolean'
    : [T] extends [number]
      ? 'nat' | 'int-ms' | 'long-ms' | 'port'
      : [T] extends [HostPort]
        ? 'host-port'
        : [T] extends [string]
          ? 'string'
          : 'optional-string';
type DefaultFor<T> = [T] extends [boolean]
  ? boolean
  : [T] extends [number]
    ? number
    : [T] extends [HostPort]
      ? string
      : T;

interface Row<T> {
  readonly key: string;
  readonly format: FormatFor<T>;
  readonly default: DefaultFor<T>;
  readonly doc: string;
  readonly suffix?: 'nn' | 'ns';
  readonly sensitive?: boolean;
  /** Read as Configuration#getPassword does: a credential provider first, then the XML. */
  readonly credential?: boolean;
}

/** One row per field of ZkfcSettings: a field without a row, or a row without a field, does not compile. */
type SettingsTable = {
  readonly [G in SettingGroup]: { readonly [F in keyof ZkfcSettings[G]]-?: Row<ZkfcSettings[G][F]> };
};

export interface Setting {
  readonly key: string;
  readonly doc: string;
  readonly format: SettingFormat;
  readonly default: string | number | boolean | null;
  /** Environment variable that overrides the setting (see envName). */
  readonly env: string;
  /** True when the key is one of Hadoop's (read from core-site.xml / hdfs-site.xml). */
  readonly hadoop: boolean;
  /** Suffix resolution: 'nn' = key.<ns>.<nn>, then key.<ns>, then key; 'ns' = key.<ns>, then key. */
  readonly suffix: 'nn' | 'ns' | 'none';
  /** Never printed (check-config, logs). */
  readonly sensitive?: boolean;
  /** Looked up in the credential providers first (Configuration#getPassword). */
  readonly credential?: boolean;
  /** Where the value goes in ZkfcSettings: settings[group][field]. */
  readonly group: SettingGroup;
  readonly field: string;
}

/** Prefix of our own keys; their environment names do not repeat it. */
export const OWN_KEY_PREFIX = 'zkfc.';

/**
 * The environment variable of a key: `ZKFC_` + the key upper-cased, every run of characters other
 * than letters and digits turned into one `_`. Our own keys drop their `zkfc.` prefix first, so the
 * prefix is never doubled: `zkfc.log.level` → `ZKFC_LOG_LEVEL`, `ha.zookeeper.quorum` →
 * `ZKFC_HA_ZOOKEEPER_QUORUM`, `dfs.ha.zkfc.nn.http.timeout.ms` → `ZKFC_DFS_HA_ZKFC_NN_HTTP_TIMEOUT_MS`.
 */
export function envName(key: string): string {
  const name = key.startsWith(OWN_KEY_PREFIX) ? key.slice(OWN_KEY_PREFIX.length) : key;
  return 'ZKFC_' + name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The five ZKFC ZooKeeper keys get ns/nn suffix promotion in Hadoop (DFSZKFailoverController.ZKFC_CONF_KEYS). */
const NN = 'nn' as const;

const TABLE: SettingsTable = {
  zk: {
    quorum: {
      key: 'ha.zookeeper.quorum',
      format: 'string',
      default: '',
      doc: 'ZooKeeper connect string host:port[,host:port...][/chroot]. Required.',
      suffix: NN,
    },
    sessionTimeoutMs: {
      key: 'ha.zookeeper.session-timeout.ms',
      format: 'int-ms',
      default: 10000,
      doc: 'ZooKeeper session timeout; also the bound on the initial connect. Must be > 0.',
      suffix: NN,
    },
    parentZnode: {
      key: 'ha.zookeeper.parent-znode',
      format: 'string',
      default: '/hadoop-ha',
      doc: 'Parent znode; the working znode is <parent>/<nameservice>.',
      suffix: NN,
    },
    acl: {
      key: 'ha.zookeeper.acl',
      format: 'string',
      default: 'world:anyone:rwcda',
      doc: 'ACL for every znode the elector creates: comma-separated scheme:id:perms, or @/path/to/file.',
      suffix: NN,
    },
    auth: {
      key: 'ha.zookeeper.auth',
      format: 'optional-string',
      default: null,
      doc:
        'ZooKeeper credentials added after connecting: comma-separated ' +
        'scheme:auth (e.g. digest:user:secret), or @/path/to/file. Read from the credential providers ' +
        'first (alias ha.zookeeper.auth). Never printed.',
      suffix: NN,
      sensitive: true,
      credential: true,
    },
    operationTimeoutMs: {
      key: 'zkfc.zookeeper.operation-timeout.ms',
      format: 'long-ms',
      default: 0,
      doc: 'Deadline of each ZooKeeper operation; 0 = the session timeout.',
    },
    retryForever: {
      key: 'zkfc.zookeeper.retry-forever',
      format: 'boolean',
      default: true,
      doc:
        'While ZooKeeper is unreachable (at start-up, or when reconnecting after a lost session), ' +
        'stay up out of the election and retry with back-off, visible in /healthz, /status and the ' +
        "metrics; false exits as Hadoop's ZKFC does (6 at start-up, 1 after the elector's retries).",
    },
    retryMaxBackoffMs: {
      key: 'zkfc.zookeeper.retry-max-backoff.ms',
      format: 'int-ms',
      default: 30000,
      doc:
        'Longest wait between two ZooKeeper connection attempts while retrying; the wait starts ' +
        "at 5 s (Hadoop's reEstablishSession sleep) and doubles up to this.",
    },
    jaasFile: {
      key: 'zkfc.zookeeper.jaas.file',
      format: 'optional-string',
      default: null,
      doc:
        'JAAS file whose section zkfc.zookeeper.jaas.section authenticates every ZooKeeper connection ' +
        'with SASL: Krb5LoginModule (useKeyTab, keyTab, principal; or useTicketCache) for Kerberos, ' +
        "ZooKeeper's DigestLoginModule (username, password) for DIGEST-MD5. Unset or empty: the " +
        '-Djava.security.auth.login.config= of HADOOP_ZKFC_OPTS (as hadoop-env.sh sets it for a Java ZKFC), ' +
        'else no SASL. A file that cannot be read or parsed: exit 78 naming it and the line.',
    },
    jaasSection: {
      key: 'zkfc.zookeeper.jaas.section',
      format: 'string',
      default: 'Client',
      doc:
        "The JAAS section ZooKeeper's client logs in with (Java's zookeeper.sasl.clientconfig, also " +
        'read as -Dzookeeper.sasl.clientconfig= from HADOOP_ZKFC_OPTS while this is Client).',
    },
  },
  zkSsl: {
    enabled: {
      key: 'hadoop.zk.ssl.enabled',
      format: 'optional-boolean',
      default: null,
      doc:
        'Connect to ZooKeeper over TLS (its secureClientPort). Unset: dfs.ha.zkfc.client.ssl.enabled ' +
        'decides; set, it decides alone (Hadoop 3.4). Needs the four hadoop.zk.ssl store keys.',
    },
    zkfcClientEnabled: {
      key: 'dfs.ha.zkfc.client.ssl.enabled',
      format: 'boolean',
      default: false,
      doc: 'Connect to ZooKeeper over TLS when hadoop.zk.ssl.enabled is unset (Hadoop 3.4).',
    },
    keystoreLocation: {
      key: 'hadoop.zk.ssl.keystore.location',
      format: 'optional-string',
      default: null,
      doc:
        "The client's key and certificate for ZooKeeper TLS: a PKCS12 file (keytool's, JDK 8 legacy " +
        'ones too, or openssl pkcs12) or PEM (a PRIVATE KEY and its CERTIFICATE chain). A JKS store is ' +
        'refused with the keytool command that converts it. Read again at every connection attempt.',
    },
    keystorePassword: {
      key: 'hadoop.zk.ssl.keystore.password',
      format: 'optional-string',
      default: null,
      doc:
        'Password of the PKCS12 keystore (of an encrypted PEM key). Also read from the credential ' +
        "providers, first (Hadoop's ZKFC reads only the XML). Never printed.",
      sensitive: true,
      credential: true,
    },
    truststoreLocation: {
      key: 'hadoop.zk.ssl.truststore.location',
      format: 'optional-string',
      default: null,
      doc:
        "The certificates that sign the ZooKeeper servers' certificates: PKCS12 (keytool -importcert) " +
        'or PEM. Read again at every connection attempt.',
    },
    truststorePassword: {
      key: 'hadoop.zk.ssl.truststore.password',
      format: 'optional-string',
      default: null,
      doc:
        'Password of the PKCS12 truststore (a PEM truststore needs none). Also read from the credential ' +
        "providers, first (Hadoop's ZKFC reads only the XML). Never printed.",
      sensitive: true,
      credential: true,
    },
    hostnameVerification: {
      key: 'zkfc.zookeeper.ssl.hostname-verification',
      format: 'boolean',
      default: true,
      doc:
        "A ZooKeeper server's certificate must name the host or address of ha.zookeeper.quorum it was " +
        "reached by, as the Java client's zookeeper.ssl.hostnameVerification (default true) wants.",
    },
  },
  credentials: {
    providerPath: {
      key: 'hadoop.security.credential.provider.path',
      format: 'optional-string',
      default: null,
      doc:
        'Credential stores asked for ha.zookeeper.auth and the hadoop.zk.ssl passwords before the XML, ' +
        'in order: jceks://file/<path> or localjceks://file/<path>, as `hadoop credential create` writes ' +
        'them (jceks://hdfs@… is skipped, as by the ZKFC).',
    },
    clearTextFallback: {
      key: 'hadoop.security.credential.clear-text-fallback',
      format: 'boolean',
      default: true,
      doc: 'A password no provider holds is read from the XML; false: it is unset.',
    },
    passwordFile: {
      key: 'hadoop.security.credstore.java-keystore-provider.password-file',
      format: 'optional-string',
      default: null,
      doc:
        'File (in the Hadoop configuration directory, or an absolute path) holding the password of the ' +
        'credential stores, when $HADOOP_CREDSTORE_PASSWORD is not set; without either it is "none".',
    },
  },
  failover: {
    zkOpRetries: {
      key: 'ha.failover-controller.active-standby-elector.zk.op.retries',
      format: 'nat',
      default: 3,
      doc:
        'Retry budget of the elector for ZooKeeper operations that ' +
        'fail with CONNECTIONLOSS / OPERATIONTIMEOUT. At least 1.',
    },
    newActiveRpcTimeoutMs: {
      key: 'ha.failover-controller.new-active.rpc-timeout.ms',
      format: 'int-ms',
      default: 60000,
      doc: 'Timeout of transitionToActive on the local NameNode; also the haadmin -> ZKFC gracefulFailover timeout.',
    },
    gracefulFenceRpcTimeoutMs: {
      key: 'ha.failover-controller.graceful-fence.rpc-timeout.ms',
      format: 'int-ms',
      default: 5000,
      doc:
        'Timeout of the graceful transitionToStandby (old active, ' +
        'and local stand-down on cede). Cede lasts twice this.',
    },
    gracefulFenceConnectionRetries: {
      key: 'ha.failover-controller.graceful-fence.connection.retries',
      format: 'nat',
      default: 1,
      doc: 'Connection retries for the graceful-fence RPC.',
    },
    cliCheckRpcTimeoutMs: {
      key: 'ha.failover-controller.cli-check.rpc-timeout.ms',
      format: 'int-ms',
      default: 20000,
      doc: 'haadmin -getServiceState / -getAllServiceState / -checkHealth timeout.',
    },
  },
  antiFlap: {
    maxFailovers: {
      key: 'zkfc.anti-flap.max-failovers',
      format: 'nat',
      default: 3,
      doc:
        'Anti-flap: at most this many automatic failovers (lock-holder changes seen in ZooKeeper; ' +
        'graceful ones do not count) in zkfc.anti-flap.window.ms. Beyond it an active whose NameNode still ' +
        'answers but fails its health check stays active (logged, in /status and the metrics) until it is ' +
        'healthy again, stops answering, or the window passes; a dead NameNode or a lost ZooKeeper session is ' +
        "never held back. 0 turns it off (Hadoop's behaviour).",
    },
    windowMs: {
      key: 'zkfc.anti-flap.window.ms',
      format: 'long-ms',
      default: 600000,
      doc:
        'The sliding window of zkfc.anti-flap.max-failovers. Must be > 0 when the limit is on, ' +
        'and at most a day (86400000).',
    },
  },
  health: {
    checkIntervalMs: {
      key: 'ha.health-monitor.check-interval.ms',
      format: 'long-ms',
      default: 1000,
      doc: 'Interval between health checks of the local NameNode. Must be > 0.',
    },
    connectRetryIntervalMs: {
      key: 'ha.health-monitor.connect-retry-interval.ms',
      format: 'long-ms',
      default: 1000,
      doc: 'Sleep between connection attempts to the local NameNode.',
    },
    rpcTimeoutMs: {
      key: 'ha.health-monitor.rpc-timeout.ms',
      format: 'int-ms',
      default: 45000,
      doc:
        'Timeout of getServiceStatus and monitorHealth; a hung ' +
        'NameNode is declared SERVICE_NOT_RESPONDING after this.',
    },
    sleepAfterDisconnectMs: {
      key: 'ha.health-monitor.sleep-after-disconnect.ms',
      format: 'long-ms',
      default: 1000,
      doc: 'Sleep after a transport failure before reconnecting to the local NameNode.',
    },
    probeOnDisconnect: {
      key: 'zkfc.health.probe-on-disconnect',
      format: 'boolean',
      default: true,
      doc:
        'Probe the local NameNode at once when its RPC connection closes (detects a ' +
        'crashed NameNode in milliseconds); false waits for the next check, as Hadoop does.',
    },
  },
  ipc: {
    connectTimeoutMs: {
      key: 'ipc.client.connect.timeout',
      format: 'int-ms',
      default: 20000,
      doc: 'TCP connect timeout of Hadoop IPC connections.',
    },
  },
  fencing: {
    methods: {
      key: 'dfs.ha.fencing.methods',
      format: 'optional-string',
      default: null,
      doc: 'Fencing methods, one per line: sshfence([user][:port]) or shell(command). Required (zkfc exits 4 without).',
      suffix: NN,
    },
    sshConnectTimeoutMs: {
      key: 'dfs.ha.fencing.ssh.connect-timeout',
      format: 'int-ms',
      default: 30000,
      doc: 'sshfence SSH connect timeout.',
    },
    sshPrivateKeyFiles: {
      key: 'dfs.ha.fencing.ssh.private-key-files',
      format: 'optional-string',
      default: null,
      doc: 'sshfence private key files, comma-separated, without passphrase.',
    },
    shellTimeoutMs: {
      key: 'zkfc.fencing.shell.timeout.ms',
      format: 'long-ms',
      default: 30000,
      doc:
        'Hard deadline of a shell(...) fencing command; every process ' +
        'it started (setsid escapees included) is killed after it.',
    },
    sshCommandTimeoutMs: {
      key: 'zkfc.fencing.ssh.command-timeout.ms',
      format: 'long-ms',
      default: 20000,
      doc: 'Deadline of the remote fuser / nc commands of sshfence (Hadoop has none).',
    },
    preflightIntervalMs: {
      key: 'zkfc.fencing.preflight.interval.ms',
      format: 'long-ms',
      default: 60000,
      doc: 'Interval of the fencing preflight (can each method work right now?); 0 disables.',
    },
  },
  stacks: {
    httpTimeoutMs: {
      key: 'dfs.ha.zkfc.nn.http.timeout.ms',
      format: 'int-ms',
      default: 20000,
      doc:
        'When the local NameNode turns unhealthy or stops responding, GET its ' +
        'http-address /stacks within this time and log the thread dump; 0 disables.',
    },
    dir: {
      key: 'zkfc.stacks.dir',
      format: 'optional-string',
      default: null,
      doc:
        'Directory that keeps the last 5 /stacks captures as files ' +
        '(stacks-<namenode>-<time>.txt); unset keeps them in the log only.',
    },
  },
  pause: {
    checkIntervalMs: {
      key: 'zkfc.pause.check-interval.ms',
      format: 'int-ms',
      default: 30000,
      doc:
        'Fallback re-read of the maintenance pause znode (haadmin pause / resume): each zkfc watches ' +
        'it, so a pause or resume takes effect at once; this bounds the delay when a watch is lost ' +
        'with a connection. Must be > 0.',
    },
    maxTtlMs: {
      key: 'zkfc.pause.max-ttl.ms',
      format: 'long-ms',
      default: 86_400_000,
      doc:
        'Longest maintenance pause: haadmin pause refuses a longer --ttl, and a daemon ends a pause ' +
        'this long after it was set whatever its TTL says.',
    },
  },
  journal: {
    maxRecords: {
      key: 'zkfc.journal.max-records',
      format: 'nat',
      default: 100,
      doc:
        'Failover journal (haadmin history): entries kept in ZooKeeper under <parent-znode>/<nameservice>/' +
        'ZkfcFailoverJournal (the oldest are deleted) and per local file; at most 1000; 0 turns the journal off.',
    },
    file: {
      key: 'zkfc.journal.file',
      format: 'optional-string',
      default: null,
      doc:
        'Local copy of the failover journal (JSON lines; at most zkfc.journal.max-records lines, then it ' +
        'becomes <file>.1). Unset: failover-journal-<nameservice>.<namenode>.jsonl in $STATE_DIRECTORY ' +
        "(systemd's StateDirectory=, /var/lib/zkfc in the shipped unit), else $LOGS_DIRECTORY, else " +
        '$HADOOP_LOG_DIR; none of them set: no local copy.',
    },
  },
  namenodeHttp: {
    intervalMs: {
      key: 'zkfc.namenode-http.interval.ms',
      format: 'long-ms',
      default: 5000,
      doc:
        "Interval of the reads of the local NameNode's HTTP view (JMX NameNodeStatus, FSNamesystem, " +
        'NameNodeInfo Safemode and JournalTransactionInfo, and /isActive) from its http-address, shown in ' +
        '/status and the metrics; 0 disables. The reads run beside the controller and never delay it.',
    },
    timeoutMs: {
      key: 'zkfc.namenode-http.timeout.ms',
      format: 'long-ms',
      default: 2000,
      doc: 'Deadline of one read of the NameNode HTTP view (connect, answer and body of every request). Must be > 0.',
    },
  },
  clusterView: {
    intervalMs: {
      key: 'zkfc.cluster-view.interval.ms',
      format: 'long-ms',
      default: 5000,
      doc:
        'Interval of the cluster view: getServiceStatus and monitorHealth of every NameNode of the ' +
        'nameservice, each bounded by min(this, 5000 ms), for the zkfc_cluster_* metrics, /status and ' +
        'the status page; 0 disables.',
    },
  },
  heap: {
    reduceIntervalMs: {
      key: 'zkfc.heap.reduce-interval.ms',
      format: 'long-ms',
      default: 10000,
      doc:
        "Interval of the daemon's look at its own JavaScript heap (it also looks 6 s after each state change, " +
        'transition, fencing or failover): when the heap is 0.5 MiB or more above what its last collection left ' +
        '(a burst of failovers, the slow allocation of an idle daemon), one compacting garbage collection ' +
        '(20-35 ms; only after 6 s without such HA activity) gives the memory back to the system. Once the ' +
        'daemon has been quiet for 6 s after its start or after HA activity, it collects whether the heap grew ' +
        'or not and also drops the compiled code of what is not running (the start-up, the failover just ' +
        'made); 0 disables.',
    },
  },
  readiness: {
    enabled: {
      key: 'zkfc.readiness.enabled',
      format: 'boolean',
      default: true,
      doc:
        'Readiness-gated promotion (not in Hadoop): a NameNode that is not ready (getServiceStatus ' +
        'readyToBecomeActive false, safe mode, edits not loaded for zkfc.readiness.max-edits-age.ms, more ' +
        'than zkfc.readiness.max-lag-txns behind the best peer) stays out of the election and graceful ' +
        'failovers to it are refused, unless no NameNode has been active for zkfc.readiness.escape-after.ms. ' +
        "Needs zkfc.cluster-view.interval.ms > 0. false: Hadoop's behaviour.",
    },
    maxEditsAgeMs: {
      key: 'zkfc.readiness.max-edits-age.ms',
      format: 'long-ms',
      default: 600000,
      doc:
        'A standby whose edit tailer has not loaded edits for longer than this (FSNamesystem ' +
        'MillisSinceLastLoadedEdits) is not ready; 0 turns this check off. A healthy standby loads edits at ' +
        'least every dfs.ha.log-roll.period (2 min), when the active rolls its edit log.',
    },
    maxLagTxns: {
      key: 'zkfc.readiness.max-lag-txns',
      format: 'nat',
      default: 1000000,
      doc:
        'A NameNode more transactions than this behind the best other NameNode (NameNodeInfo ' +
        'JournalTransactionInfo LastAppliedOrWrittenTxId, read over HTTP by the cluster view) is not ready; ' +
        '0 turns this check off. The default is one dfs.namenode.checkpoint.txns.',
    },
    escapeAfterMs: {
      key: 'zkfc.readiness.escape-after.ms',
      format: 'long-ms',
      default: 30000,
      doc:
        'Escape hatch: when the cluster view has seen no active NameNode for this long, the most ' +
        'caught-up healthy standby is promoted even if not ready, so a cold start in safe mode cannot ' +
        'leave the nameservice without an active. Must be > 0.',
    },
    raceHandicapMs: {
      key: 'zkfc.readiness.race-handicap.ms',
      format: 'long-ms',
      default: 2000,
      doc:
        'In the race for a free lock, a standby waits this long for every healthy standby that is ahead of ' +
        'it (a higher last transaction id), so the most caught-up one wins; 0: no handicap (Hadoop).',
    },
  },
  nameservice: {
    service: {
      key: 'zkfc.service',
      format: 'string',
      default: 'auto',
      doc:
        'Which HA master this daemon drives: namenode (hdfs-site.xml), resourcemanager (yarn-site.xml, ' +
        'README "ResourceManager HA"), or auto: the one whose HA configuration names this host.',
    },
    automaticFailoverEnabled: {
      key: 'dfs.ha.automatic-failover.enabled',
      format: 'boolean',
      default: false,
      doc: 'Automatic failover for the nameservice; zkfc exits 5 when false.',
      suffix: 'ns',
    },
    nameserviceId: {
      key: 'dfs.nameservice.id',
      format: 'optional-string',
      default: null,
      doc: 'The local nameservice id when several are configured.',
    },
    namenodeId: {
      key: 'dfs.ha.namenode.id',
      format: 'optional-string',
      default: null,
      doc: 'The local NameNode id; otherwise found by matching a local address.',
    },
  },
  server: {
    zkfcPort: {
      key: 'dfs.ha.zkfc.port',
      format: 'port',
      default: 8019,
      doc: 'Port of the ZKFCProtocol RPC server (cedeActive, gracefulFailover).',
      suffix: NN,
    },
    clusterAdministrators: {
      key: 'dfs.cluster.administrators',
      format: 'string',
      default: ' ',
      doc: 'Users/groups allowed to call cedeActive / gracefulFailover besides the ZKFC user ("users groups").',
    },
    httpAddress: {
      key: 'zkfc.http-address',
      format: 'host-port',
      default: '127.0.0.1:8021',
      doc: 'Listener for the status page (/), /metrics, /status, /active, /standby, /healthz (read-only).',
      suffix: NN,
    },
  },
  rpc: {
    allowedAddresses: {
      key: 'zkfc.rpc.allowed-addresses',
      format: 'optional-string',
      default: null,
      doc:
        'Addresses and CIDR blocks (comma-separated, IPv4 or IPv6) that may connect to the ZKFC RPC port: ' +
        'the other ZKFCs and the hosts haadmin runs on. Unset: every address (Hadoop has no such list).',
    },
    maxConnections: {
      key: 'zkfc.rpc.max-connections',
      format: 'nat',
      default: 64,
      doc:
        'Connections the ZKFC RPC server holds at once; at the ' +
        'cap a new one replaces the oldest idle one. At least 1.',
    },
    maxConnectionsPerAddress: {
      key: 'zkfc.rpc.max-connections-per-address',
      format: 'nat',
      default: 8,
      doc:
        'Connections to the ZKFC RPC server from one source address; at the ' +
        "cap a new one replaces that address's oldest idle one. At least 1.",
    },
    setupTimeoutMs: {
      key: 'zkfc.rpc.setup-timeout.ms',
      format: 'long-ms',
      default: 10000,
      doc:
        'A connection to the ZKFC RPC server that has not sent its ' +
        'preamble and connection context within this is closed. Must be > 0.',
    },
    connectionMaxIdleTimeMs: {
      key: 'ipc.client.connection.maxidletime',
      format: 'int-ms',
      default: 10000,
      doc:
        "The ZKFC RPC server closes a connection with no call for twice this, as Hadoop's IPC " +
        'server does (always here, not only above ipc.client.idlethreshold connections). Must be > 0.',
    },
    maxCedeMs: {
      key: 'zkfc.rpc.cede.max.ms',
      format: 'long-ms',
      default: 300000,
      doc:
        'Longest cedeActive the ZKFC RPC server honours; a longer one is refused (Hadoop takes any). At least ' +
        'twice ha.failover-controller.graceful-fence.rpc-timeout.ms (graceful failover cedes for that long).',
    },
  },
  security: {
    authentication: {
      key: 'hadoop.security.authentication',
      format: 'string',
      default: 'simple',
      doc:
        'simple or kerberos. With kerberos every Hadoop IPC connection (NameNodes, peer controllers) authenticates ' +
        'with SASL GSSAPI: the daemon as dfs.namenode.kerberos.principal from dfs.namenode.keytab.file, haadmin ' +
        "from the user's ticket cache (kinit).",
    },
    rpcProtection: {
      key: 'hadoop.rpc.protection',
      format: 'string',
      default: 'authentication',
      doc:
        'Quality of protection of Kerberos connections, comma-separated, most preferred first: authentication, ' +
        'integrity (every message signed), privacy (every message encrypted). The first the server offers is used.',
    },
    namenodePrincipal: {
      key: 'dfs.namenode.kerberos.principal',
      format: 'optional-string',
      default: null,
      doc:
        "The NameNodes' Kerberos principal, e.g. nn/_HOST@REALM: the principal every NameNode and peer controller " +
        'must prove (_HOST = its canonical host name) and the one the daemon logs in as (_HOST = the local ' +
        "NameNode's host). Required with kerberos.",
      suffix: NN,
    },
    namenodeKeytab: {
      key: 'dfs.namenode.keytab.file',
      format: 'optional-string',
      default: null,
      doc:
        "Keytab the daemon logs in from (into a private credential cache, renewed at 80 % of the ticket's " +
        'lifetime). Required with kerberos.',
      suffix: NN,
    },
    fallbackToSimpleAuthAllowed: {
      key: 'ipc.client.fallback-to-simple-auth-allowed',
      format: 'boolean',
      default: false,
      doc: 'With kerberos, accept a server that offers SIMPLE authentication only (default: refuse it).',
    },
    authorization: {
      key: 'hadoop.security.authorization',
      format: 'boolean',
      default: false,
      doc:
        'Service-level authorization on the ZKFC RPC server: every connection, once authenticated, must be allowed ' +
        'by security.zkfc.protocol.acl and not blocked by security.zkfc.protocol.acl.blocked, and come from a ' +
        'host security.zkfc.protocol.hosts allows and .hosts.blocked does not (read from hadoop-policy.xml in ' +
        'the configuration directory too), in addition to dfs.cluster.administrators.',
    },
    zkfcProtocolAcl: {
      key: 'security.zkfc.protocol.acl',
      format: 'optional-string',
      default: null,
      doc:
        'Who may connect to the ZKFC RPC server with hadoop.security.authorization: "user1,user2 group1,group2" ' +
        '(short user names, OS groups), "*" for everyone, " " for nobody. Unset: ' +
        'security.service.authorization.default.acl.',
    },
    zkfcProtocolAclBlocked: {
      key: 'security.zkfc.protocol.acl.blocked',
      format: 'optional-string',
      default: null,
      doc:
        'Users and groups refused even when security.zkfc.protocol.acl allows them (same syntax). Unset: ' +
        'security.service.authorization.default.acl.blocked.',
    },
    defaultAcl: {
      key: 'security.service.authorization.default.acl',
      format: 'string',
      default: '*',
      doc: 'The ACL of a protocol whose own ACL is unset (security.zkfc.protocol.acl).',
    },
    defaultBlockedAcl: {
      key: 'security.service.authorization.default.acl.blocked',
      format: 'string',
      default: '',
      doc: 'The blocked ACL of a protocol whose own blocked ACL is unset (nobody).',
    },
    zkfcProtocolHosts: {
      key: 'security.zkfc.protocol.hosts',
      format: 'optional-string',
      default: null,
      doc:
        'Hosts that may connect to the ZKFC RPC server with hadoop.security.authorization (after the user ' +
        'passed security.zkfc.protocol.acl): IP addresses, IPv4 CIDR blocks and host names (every address ' +
        'they resolve to), comma-separated; "*" for all. Unset: security.service.authorization.default.hosts.',
    },
    zkfcProtocolHostsBlocked: {
      key: 'security.zkfc.protocol.hosts.blocked',
      format: 'optional-string',
      default: null,
      doc:
        'Hosts refused even when security.zkfc.protocol.hosts allows them (same syntax). Unset: ' +
        'security.service.authorization.default.hosts.blocked.',
    },
    defaultHosts: {
      key: 'security.service.authorization.default.hosts',
      format: 'string',
      default: '*',
      doc: 'The host list of a protocol whose own host list is unset (security.zkfc.protocol.hosts).',
    },
    defaultBlockedHosts: {
      key: 'security.service.authorization.default.hosts.blocked',
      format: 'string',
      default: '',
      doc: 'The blocked host list of a protocol whose own blocked list is unset (none).',
    },
    authToLocal: {
      key: 'hadoop.security.auth_to_local',
      format: 'optional-string',
      default: null,
      doc:
        "Hadoop's rules mapping a Kerberos principal to the short name that dfs.cluster.administrators and " +
        'security.zkfc.protocol.acl see, tried in order: DEFAULT (first component of a principal of the ' +
        'default realm) and RULE:[n:format](match)s/from/to/g with /L to lower-case. Unset: DEFAULT. A rule ' +
        'that does not parse is a configuration error.',
    },
    authToLocalMechanism: {
      key: 'hadoop.security.auth_to_local.mechanism',
      format: 'string',
      default: 'hadoop',
      doc:
        'hadoop: a principal no rule applies to, or a short name with / or @, is refused; mit: the principal is ' +
        'kept as it is.',
    },
  },
  log: {
    level: {
      key: 'zkfc.log.level',
      format: 'string',
      default: 'info',
      doc: 'pino log level: fatal, error, warn, info, debug, trace.',
    },
  },
};

/** The table as a list, in the order above (README, check-config). */
export const SETTINGS: readonly Setting[] = Object.entries(TABLE).flatMap(([group, fields]) =>
  Object.entries(fields as Record<string, Row<unknown>>).map(([field, row]): Setting => ({
    key: row.key,
    doc: row.doc,
    format: row.format,
    default: row.default as Setting['default'],
    env: envName(row.key),
    hadoop: !row.key.startsWith(OWN_KEY_PREFIX),
    suffix: row.suffix ?? 'none',
    ...(row.sensitive === true ? { sensitive: true } : {}),
    ...(row.credential === true ? { credential: true } : {}),
    group: group as SettingGroup,
    field,
  })),
);

export const SETTINGS_BY_KEY: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.key, s]));

/** Largest zkfc.journal.max-records (1000 entries of at most 16 KiB in ZooKeeper). */
export const JOURNAL_MAX_RECORDS_LIMIT = 1000;

/** How many /stacks captures zkfc.stacks.dir keeps (the oldest go first). */
export const STACKS_FILES_KEPT = 5;
