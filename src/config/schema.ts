// Every setting of the daemon and the CLI, in one table: its key (Hadoop's own key name where
// Hadoop has the setting, `zkfc.*` for ours), doc, format, default, environment variable, and
// whether Hadoop resolves it per nameservice / per namenode (DFSUtil suffix rules, docs/hadoop-compat.md §7.2).
// src/config/load.ts turns this table into a convict schema and fills it from defaults < Hadoop
// XML < our own config file < environment < -D key=value.

/**
 * How a value is parsed. 'int-ms' / 'long-ms': milliseconds as Hadoop reads them with
 * Configuration#getInt / #getLong (decimal or 0x hex, no unit suffix: `10s` is refused, as
 * Hadoop's own daemons and tools refuse it), never negative.
 */
export type SettingFormat = 'string' | 'nat' | 'int' | 'int-ms' | 'long-ms' | 'boolean' | 'port' | 'host-port' | 'optional-string';

export interface Setting {
  readonly key: string;
  readonly doc: string;
  readonly format: SettingFormat;
  readonly default: string | number | boolean | null;
  /** Environment variable that overrides the setting (always ZKFC_ + upper-cased key). */
  readonly env: string;
  /** True when the key is one of Hadoop's (read from core-site.xml / hdfs-site.xml). */
  readonly hadoop: boolean;
  /** Suffix resolution: 'nn' = key.<ns>.<nn>, then key.<ns>, then key; 'ns' = key.<ns>, then key. */
  readonly suffix: 'nn' | 'ns' | 'none';
  /** Never printed (check-config, logs). */
  readonly sensitive?: boolean;
}

function envName(key: string): string {
  return 'ZKFC_' + key.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function setting(
  key: string,
  format: SettingFormat,
  defaultValue: Setting['default'],
  doc: string,
  options: { hadoop?: boolean; suffix?: Setting['suffix']; sensitive?: boolean } = {},
): Setting {
  return {
    key,
    doc,
    format,
    default: defaultValue,
    env: envName(key),
    hadoop: options.hadoop ?? true,
    suffix: options.suffix ?? 'none',
    ...(options.sensitive ? { sensitive: true } : {}),
  };
}

/** The five ZKFC ZooKeeper keys get ns/nn suffix promotion in Hadoop (docs/hadoop-compat.md §4.3 last bullet). */
const NN = { suffix: 'nn' } as const;

export const SETTINGS: readonly Setting[] = [
  // ZooKeeper (docs/hadoop-compat.md §4.3, §7.2)
  setting('ha.zookeeper.quorum', 'string', '', 'ZooKeeper connect string host:port[,host:port...][/chroot]. Required.', NN),
  setting('ha.zookeeper.session-timeout.ms', 'int-ms', 10000, 'ZooKeeper session timeout; also the bound on the initial connect. Must be > 0.', NN),
  setting('ha.zookeeper.parent-znode', 'string', '/hadoop-ha', 'Parent znode; the working znode is <parent>/<nameservice>.', NN),
  setting('ha.zookeeper.acl', 'string', 'world:anyone:rwcda', 'ACL for every znode the elector creates: comma-separated scheme:id:perms, or @/path/to/file.', NN),
  setting('ha.zookeeper.auth', 'optional-string', null, 'ZooKeeper credentials added after connecting: comma-separated scheme:auth (e.g. digest:user:secret), or @/path/to/file. Never printed.', { ...NN, sensitive: true }),
  setting('ha.failover-controller.active-standby-elector.zk.op.retries', 'nat', 3, 'Retry budget of the elector for ZooKeeper operations that fail with CONNECTIONLOSS / OPERATIONTIMEOUT.'),
  // Transitions and fencing timeouts (docs/hadoop-compat.md §7.2, §7.3)
  setting('ha.failover-controller.new-active.rpc-timeout.ms', 'int-ms', 60000, 'Timeout of transitionToActive on the local NameNode; also the haadmin -> ZKFC gracefulFailover timeout.'),
  setting('ha.failover-controller.graceful-fence.rpc-timeout.ms', 'int-ms', 5000, 'Timeout of the graceful transitionToStandby (old active, and local stand-down on cede). Cede lasts twice this.'),
  setting('ha.failover-controller.graceful-fence.connection.retries', 'nat', 1, 'Connection retries for the graceful-fence RPC.'),
  setting('ha.failover-controller.cli-check.rpc-timeout.ms', 'int-ms', 20000, 'haadmin -getServiceState / -getAllServiceState / -checkHealth timeout.'),
  // Health monitor (docs/hadoop-compat.md §6.1)
  setting('ha.health-monitor.check-interval.ms', 'long-ms', 1000, 'Interval between health checks of the local NameNode.'),
  setting('ha.health-monitor.connect-retry-interval.ms', 'long-ms', 1000, 'Sleep between connection attempts to the local NameNode.'),
  setting('ha.health-monitor.rpc-timeout.ms', 'int-ms', 45000, 'Timeout of getServiceStatus and monitorHealth; a hung NameNode is declared SERVICE_NOT_RESPONDING after this.'),
  setting('ha.health-monitor.sleep-after-disconnect.ms', 'long-ms', 1000, 'Sleep after a transport failure before reconnecting to the local NameNode.'),
  setting('ipc.client.connect.timeout', 'int-ms', 20000, 'TCP connect timeout of Hadoop IPC connections.'),
  // HDFS keys (docs/hadoop-compat.md §7.2)
  setting('dfs.ha.automatic-failover.enabled', 'boolean', false, 'Automatic failover for the nameservice; zkfc exits 5 when false.', { suffix: 'ns' }),
  setting('dfs.ha.zkfc.port', 'port', 8019, 'Port of the ZKFCProtocol RPC server (cedeActive, gracefulFailover).', NN),
  setting('dfs.ha.fencing.methods', 'optional-string', null, 'Fencing methods, one per line: sshfence([user][:port]) or shell(command). Required (zkfc exits 4 without).', NN),
  setting('dfs.ha.fencing.ssh.connect-timeout', 'int-ms', 30000, 'sshfence SSH connect timeout.'),
  setting('dfs.ha.fencing.ssh.private-key-files', 'optional-string', null, 'sshfence private key files, comma-separated, without passphrase.'),
  setting('dfs.ha.zkfc.nn.http.timeout.ms', 'int-ms', 20000, 'Timeout of the NameNode /stacks capture when the NameNode turns unhealthy; 0 disables.'),
  setting('dfs.cluster.administrators', 'string', ' ', 'Users/groups allowed to call cedeActive / gracefulFailover besides the ZKFC user ("users groups").'),
  setting('dfs.nameservice.id', 'optional-string', null, 'The local nameservice id when several are configured.'),
  setting('dfs.ha.namenode.id', 'optional-string', null, 'The local NameNode id; otherwise found by matching a local address.'),
  setting('hadoop.security.authentication', 'string', 'simple', 'Only "simple" is supported (no Kerberos/SASL).'),
  // Ours (beyond Hadoop)
  setting('zkfc.http-address', 'host-port', '127.0.0.1:8021', 'Listener for /metrics, /status, /active, /standby (read-only).', { hadoop: false, ...NN }),
  setting('zkfc.fencing.shell.timeout.ms', 'long-ms', 30000, 'Hard deadline of a shell(...) fencing command; its whole process group is killed after it.', { hadoop: false }),
  setting('zkfc.fencing.ssh.command-timeout.ms', 'long-ms', 20000, 'Deadline of the remote fuser / nc commands of sshfence (Hadoop has none).', { hadoop: false }),
  setting('zkfc.fencing.preflight.interval.ms', 'long-ms', 60000, 'Interval of the fencing preflight (can each method work right now?); 0 disables.', { hadoop: false }),
  setting('zkfc.zookeeper.operation-timeout.ms', 'long-ms', 0, 'Deadline of each ZooKeeper operation; 0 = the session timeout.', { hadoop: false }),
  setting('zkfc.health.probe-on-disconnect', 'boolean', true, 'Probe the local NameNode at once when its RPC connection closes (detects a crashed NameNode in milliseconds).', { hadoop: false }),
  setting('zkfc.log.level', 'string', 'info', 'pino log level: fatal, error, warn, info, debug, trace.', { hadoop: false }),
];

export const SETTINGS_BY_KEY: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.key, s]));
