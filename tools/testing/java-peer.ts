// A Java-compatible ZKFC peer for mixed-cluster tests: a small, independent controller that takes
// part in the same election the way Hadoop's Java ZKFC does, so the catalogue can prove that our
// daemon and a Java ZKFC can share one nameservice. It talks to ZooKeeper through
// node-zookeeper-client directly (not through our adapter) and writes exactly what Java writes:
// - the lock `<parent>/<ns>/ActiveStandbyElectorLock`: EPHEMERAL, OPEN_ACL_UNSAFE
//   (world:anyone:cdrwa, Hadoop's default ha.zookeeper.acl), data = ActiveNodeInfo;
// - the breadcrumb `<parent>/<ns>/ActiveBreadCrumb`: PERSISTENT, same data, created when absent,
//   otherwise replaced with a versioned setData (compare-and-set on the version read before fencing);
// - ActiveNodeInfo bytes from src/hadoop/active-node-info.ts (byte-identical to Java's).
// Behaviour (docs/hadoop-compat.md §5.3-§5.8, §6.4, §7.3), reduced to what a two-controller election needs: health
// checks of its own NameNode every check interval (getServiceStatus + monitorHealth); healthy ->
// join (create the lock; NODEEXISTS -> watch it); won -> read the breadcrumb, fence the old active
// if it names another node (graceful transitionToStandby, then the shell fencing command), write
// the breadcrumb, transitionToActive; failed -> close the session, sleep 1 s, rejoin; lost ->
// transitionToStandby; NodeDeleted -> race again; unhealthy -> quit (close the session, keep the
// breadcrumb, i.e. quitElection(needFence=true)); SIGTERM -> the same (Java's shutdown).
//
// Not promised: ZKFCProtocol (cedeActive/gracefulFailover are not served), observers, more than
// one shell method, ZooKeeper auth, the HADOOP-10251 state-mismatch check.

import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import zookeeper from 'node-zookeeper-client';
import type { Client, Event, Exception, Stat } from 'node-zookeeper-client';
import { decodeActiveNodeInfo, encodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import { RpcHAServiceClientFactory } from '../../src/hadoop/ha-service-client.js';
import type { HAServiceClient } from '../../src/runtime/ports.js';
import type { Logger } from '../../src/observability/logger.js';
import { hostAliases, javaHostName } from '../../src/hadoop/java-hostname.js';

export interface JavaPeerNamenode {
  readonly namenodeId: string;
  readonly host: string;
  readonly port: number;
  readonly zkfcPort: number;
}

export interface JavaPeerOptions {
  readonly connectString: string;
  readonly sessionTimeoutMs: number;
  readonly parentZnode: string;
  readonly nameserviceId: string;
  /** This controller's NameNode. */
  readonly self: JavaPeerNamenode;
  /** Every NameNode of the nameservice (for dataToTarget's address check). */
  readonly namenodes: readonly JavaPeerNamenode[];
  readonly checkIntervalMs: number;
  readonly healthRpcTimeoutMs: number;
  readonly gracefulFenceTimeoutMs: number;
  readonly newActiveRpcTimeoutMs: number;
  /** The shell(...) fencing command, run with `bash -e -c` and target_* variables. */
  readonly fenceCommand: string;
  readonly fenceTimeoutMs: number;
  /** HDFS superuser for the NameNode RPCs (HADOOP_USER_NAME). */
  readonly effectiveUser: string;
  /** A JSON file rewritten on every state change: { state, sessionId, pid }. */
  readonly statusFile: string;
  readonly logger: Logger;
}

export type JavaPeerState = 'INIT' | 'STANDBY' | 'ACTIVE' | 'NEUTRAL';

/** ZooDefs.Ids.OPEN_ACL_UNSAFE = world:anyone:cdrwa, what Hadoop's default ha.zookeeper.acl parses to. */
const OPEN_ACL_UNSAFE = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))];

/** Hadoop's SLEEP_AFTER_FAILURE_TO_BECOME_ACTIVE. */
const SLEEP_AFTER_FAILURE_MS = 1000;

export class JavaCompatiblePeer {
  private state: JavaPeerState = 'INIT';
  private client: Client | undefined;
  private wantToBeInElection = false;
  private becomingActive = false;
  private stopped = false;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly local: HAServiceClient;
  private readonly rpc: RpcHAServiceClientFactory;
  private appData: Buffer;
  private readonly lockPath: string;
  private readonly breadcrumbPath: string;
  private readonly log: Logger;

  constructor(private readonly options: JavaPeerOptions) {
    this.log = options.logger.child({ component: 'java-peer' });
    this.rpc = new RpcHAServiceClientFactory({
      effectiveUser: options.effectiveUser,
      connectTimeoutMs: options.healthRpcTimeoutMs,
    });
    this.local = this.rpc.create({ host: options.self.host, port: options.self.port });
    const workingDir = `${options.parentZnode.replace(/\/+$/, '')}/${options.nameserviceId}`;
    this.lockPath = `${workingDir}/ActiveStandbyElectorLock`;
    this.breadcrumbPath = `${workingDir}/ActiveBreadCrumb`;
    this.appData = Buffer.from(
      encodeActiveNodeInfo({
        nameserviceId: options.nameserviceId,
        namenodeId: options.self.namenodeId,
        hostname: options.self.host,
        port: options.self.port,
        zkfcPort: options.self.zkfcPort,
      }),
    );
    this.writeStatus();
  }

  start(): void {
    this.log.info({ lock: this.lockPath }, 'java-compatible peer started');
    // Java writes InetSocketAddress.getHostName(): for an IP literal, its reverse-resolved name.
    void javaHostName(this.options.self.host).then((hostname) => {
      this.appData = Buffer.from(
        encodeActiveNodeInfo({
          nameserviceId: this.options.nameserviceId,
          namenodeId: this.options.self.namenodeId,
          hostname,
          port: this.options.self.port,
          zkfcPort: this.options.self.zkfcPort,
        }),
      );
      void this.healthRound();
    });
  }

  /** Java's shutdown: quitElection(needFence=true) - the lock goes, the breadcrumb stays. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.healthTimer !== undefined) clearTimeout(this.healthTimer);
    this.quitElection('shutdown');
    this.local.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Health

  private async healthRound(): Promise<void> {
    if (this.stopped) return;
    let healthy = false;
    try {
      await this.local.getServiceStatus(this.options.healthRpcTimeoutMs);
      await this.local.monitorHealth(this.options.healthRpcTimeoutMs);
      healthy = true;
    } catch (error) {
      this.log.debug({ err: error }, 'health check failed');
    }
    if (this.stopped) return;
    if (healthy && !this.wantToBeInElection) this.joinElection();
    else if (!healthy && this.wantToBeInElection) this.quitElection('local NameNode not healthy');
    this.healthTimer = setTimeout(() => void this.healthRound(), this.options.checkIntervalMs);
  }

  // ---------------------------------------------------------------------------------------------
  // Election

  private joinElection(): void {
    this.wantToBeInElection = true;
    this.log.info({}, 'joining election');
    this.connect();
  }

  private quitElection(reason: string): void {
    this.log.info({ reason }, 'quitting election (needFence=true: breadcrumb kept)');
    this.wantToBeInElection = false;
    this.closeSession();
    this.setState('INIT', reason);
  }

  private connect(): void {
    const client = zookeeper.createClient(this.options.connectString, {
      sessionTimeout: this.options.sessionTimeoutMs,
      spinDelay: 100,
      retries: 0,
    });
    this.client = client;
    let wasDisconnected = false;
    client.on('state', (state) => {
      if (client !== this.client) return; // stale client
      if (state === zookeeper.State.SYNC_CONNECTED) {
        if (wasDisconnected) this.monitorLock(client);
        wasDisconnected = false;
      } else if (state === zookeeper.State.DISCONNECTED) {
        wasDisconnected = true;
        this.setState('NEUTRAL', 'disconnected from ZooKeeper');
      } else if (state === zookeeper.State.EXPIRED) {
        this.log.warn({}, 'session expired; rejoining');
        this.setState('NEUTRAL', 'session expired');
        this.closeSession();
        if (this.wantToBeInElection) this.connect();
      }
    });
    client.once('connected', () => {
      if (client !== this.client) return;
      this.writeStatus();
      this.createLock(client);
    });
    client.connect();
  }

  private closeSession(): void {
    const client = this.client;
    this.client = undefined;
    this.writeStatus();
    if (client !== undefined) {
      try {
        client.close();
      } catch {
        // never connected
      }
    }
  }

  private createLock(client: Client): void {
    client.create(this.lockPath, this.appData, OPEN_ACL_UNSAFE, zookeeper.CreateMode.EPHEMERAL, (error) => {
      if (client !== this.client) return;
      if (!error) return void this.becomeActive(client);
      if (codeOf(error) === zookeeper.Exception.NODE_EXISTS) return this.monitorLock(client);
      this.log.warn({ err: String(error) }, 'lock create failed; retrying after a second');
      setTimeout(() => client === this.client && this.createLock(client), SLEEP_AFTER_FAILURE_MS);
    });
  }

  private monitorLock(client: Client): void {
    client.exists(
      this.lockPath,
      (event: Event) => {
        if (client !== this.client) return;
        if (event.getType() === zookeeper.Event.NODE_DELETED) {
          if (this.state === 'ACTIVE') this.setState('NEUTRAL', 'lock deleted');
          this.createLock(client);
        } else this.monitorLock(client);
      },
      (error: Error | Exception | null, stat: Stat) => {
        if (client !== this.client) return;
        if (error) {
          this.log.warn({ err: String(error) }, 'lock exists() failed; retrying');
          setTimeout(() => client === this.client && this.monitorLock(client), SLEEP_AFTER_FAILURE_MS);
          return;
        }
        if (!stat) return this.createLock(client);
        if (Buffer.compare(Buffer.from(stat.ephemeralOwner), client.getSessionId()) === 0)
          void this.becomeActive(client);
        else void this.becomeStandby();
      },
    );
  }

  private async becomeActive(client: Client): Promise<void> {
    if (this.state === 'ACTIVE' || this.becomingActive) return;
    this.becomingActive = true;
    try {
      const breadcrumb = await getData(client, this.breadcrumbPath);
      if (breadcrumb !== undefined && !breadcrumb.data.equals(this.appData)) await this.fenceOldActive(breadcrumb.data);
      if (breadcrumb === undefined)
        await create(client, this.breadcrumbPath, this.appData, zookeeper.CreateMode.PERSISTENT);
      else await setData(client, this.breadcrumbPath, this.appData, breadcrumb.stat.version);
      await this.local.transitionToActive('REQUEST_BY_ZKFC', this.options.newActiveRpcTimeoutMs);
      if (client !== this.client) return;
      this.setState('ACTIVE', 'won the election');
      this.monitorLock(client); // Java: monitorActiveStatus() after a successful becomeActive
    } catch (error) {
      this.log.error(
        { err: error instanceof Error ? error.message : String(error) },
        'Exception handling the winning of election; rejoining after a second',
      );
      this.closeSession();
      this.setState('NEUTRAL', 'failed to become active');
      setTimeout(() => {
        if (this.wantToBeInElection && !this.stopped && this.client === undefined) this.connect();
      }, SLEEP_AFTER_FAILURE_MS);
    } finally {
      this.becomingActive = false;
    }
  }

  private async becomeStandby(): Promise<void> {
    if (this.state === 'STANDBY') return;
    try {
      await this.local.transitionToStandby('REQUEST_BY_ZKFC', this.options.gracefulFenceTimeoutMs);
    } catch (error) {
      this.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'transitionToStandby of the local NameNode failed (only logged, as Java does)',
      );
    }
    this.setState('STANDBY', 'lost the election');
  }

  /** fenceOldActive: dataToTarget (address must match the configuration), graceful, then shell. */
  private async fenceOldActive(data: Buffer): Promise<void> {
    const info = decodeActiveNodeInfo(data, this.breadcrumbPath);
    const target = this.options.namenodes.find((n) => n.namenodeId === info.namenodeId);
    // Java compares resolved addresses; the configured host, its IPs or their names all match.
    const known =
      target === undefined ? [] : [target.host, ...(await hostAliases(target.host))].map((h) => h.toLowerCase());
    if (target === undefined || !known.includes(info.hostname.toLowerCase()) || target.port !== info.port) {
      throw new Error(`Mismatched address stored in ZK for ${info.namenodeId}: ${info.hostname}:${info.port}`);
    }
    this.log.info({ target: target.namenodeId }, 'should fence old active');
    const old = this.rpc.create(
      { host: target.host, port: target.port },
      { connectTimeoutMs: this.options.gracefulFenceTimeoutMs },
    );
    try {
      await old.transitionToStandby('REQUEST_BY_ZKFC', this.options.gracefulFenceTimeoutMs);
      this.log.info({ target: target.namenodeId }, 'old active moved to standby gracefully');
      return;
    } catch (error) {
      this.log.info(
        { err: error instanceof Error ? error.message : String(error) },
        'graceful fence failed; running the fencing command',
      );
    } finally {
      old.close();
    }
    const ok = await runShellFence(
      this.options.fenceCommand,
      target,
      this.options.nameserviceId,
      this.options.fenceTimeoutMs,
      this.log,
    );
    if (!ok) throw new Error(`Unable to fence ${target.namenodeId}`);
  }

  private setState(next: JavaPeerState, reason: string): void {
    if (next !== this.state) this.log.info({ from: this.state, to: next, reason }, 'elector state changed');
    this.state = next;
    this.writeStatus();
  }

  private writeStatus(): void {
    const sessionId = this.client?.getSessionId();
    const text = JSON.stringify({
      pid: process.pid,
      state: this.state,
      sessionId:
        sessionId !== undefined && sessionId.length === 8 && sessionId.readBigUInt64BE() !== 0n
          ? `0x${sessionId.readBigUInt64BE().toString(16)}`
          : null,
    });
    const tmp = `${this.options.statusFile}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.options.statusFile);
  }
}

function codeOf(error: unknown): number | undefined {
  return typeof (error as Exception).getCode === 'function' ? (error as Exception).getCode() : undefined;
}

function getData(client: Client, path: string): Promise<{ data: Buffer; stat: Stat } | undefined> {
  return new Promise((resolve, reject) => {
    client.getData(path, (error, data, stat) => {
      if (!error) return resolve({ data: data ?? Buffer.alloc(0), stat });
      if (codeOf(error) === zookeeper.Exception.NO_NODE) return resolve(undefined);
      reject(new Error(`getData ${path}: ${String(error)}`));
    });
  });
}

function create(client: Client, path: string, data: Buffer, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.create(path, data, OPEN_ACL_UNSAFE, mode, (error) =>
      error ? reject(new Error(`create ${path}: ${String(error)}`)) : resolve(),
    );
  });
}

function setData(client: Client, path: string, data: Buffer, version: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.setData(path, data, version, (error) =>
      error ? reject(new Error(`setData ${path} (version ${version}): ${String(error)}`)) : resolve(),
    );
  });
}

/** ShellCommandFencer: bash -e -c with target_* variables; exit 0 = fenced. Bounded by timeoutMs. */
function runShellFence(
  command: string,
  target: JavaPeerNamenode,
  nameserviceId: string,
  timeoutMs: number,
  log: Logger,
): Promise<boolean> {
  return new Promise((resolve) => {
    const env = {
      ...process.env,
      target_host: target.host,
      target_port: String(target.port),
      target_address: `${target.host}/${target.host}:${target.port}`,
      target_nameserviceid: nameserviceId,
      target_namenodeid: target.namenodeId,
    };
    const child = spawn('bash', ['-e', '-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()).length > 65536 && (output = output.slice(-4096)));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()).length > 65536 && (output = output.slice(-4096)));
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      log.info(
        { command, code, output: output.trim().slice(-500) },
        code === 0 ? 'fencing command succeeded' : 'fencing command failed',
      );
      resolve(code === 0);
    });
  });
}
