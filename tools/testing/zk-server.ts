// A real ZooKeeper for tests, the sandbox and benchmarks: Debian's libzookeeper-java 3.8 started as
// one standalone server or an N-member loopback ensemble, each member a JVM in its own process
// group on free ports, with short ticks so session timeouts of a few seconds are possible.
// It can kill, stop (SIGTERM), pause (SIGSTOP), resume and restart members and ask who leads.
//
// What it does not promise: durability (forceSync=no, data under a temp dir) or production
// settings. It has no vitest imports, so plain Node scripts (the sandbox, the benchmark) and the tests
// all import it. Members are killed on stopAll(), on process exit and on
// SIGINT/SIGTERM/SIGHUP; a tiny per-member sentinel shell also kills the JVM when this Node
// process dies without running any handler (SIGKILL, crash), so no orphaned JVMs keep ports.
//
// With `tls`, each member also serves TLS on a secureClientPort (Netty; the ssl.* keys of zoo.cfg,
// which ZooKeeper turns into zookeeper.ssl.* properties), and with `tls.only` nothing else: the
// harness then asks its four-letter words over TLS with a client certificate of its own.
//
// With `sasl`, each member registers ZooKeeper's SASLAuthenticationProvider and logs in from a JAAS
// `Server` section written here: Krb5LoginModule with a keytab (zookeeper/<host>@REALM, e.g. one made
// by tools/testing/kdc.ts, with that KDC's krb5.conf) and/or DigestLoginModule with user_<name>="pw"
// entries; `required` adds sessionRequireClientSASLAuth=true (ZooKeeper 3.6+: a client that does
// not authenticate is refused). Combinable with `tls`.
//
// Facts this relies on (docs/hadoop-compat.md §13): `srvr` shows "Mode: " only when the
// server can serve (ruok answers earlier); the zookeeper.jar manifest pulls in every dependency;
// unknown zoo.cfg keys become -Dzookeeper.<key> system properties (forceSync=no).

import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
  statSync,
  accessSync,
  constants as fsConstants,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pickFreePorts } from './net.js';
import { sleep } from './wait.js';

/** The one line that tells a developer or CI what to install. */
export const ZOOKEEPER_INSTALL_HINT =
  'apt-get install -y --no-install-recommends libzookeeper-java default-jre-headless ' +
  '(or run scripts/ensure-deps.sh as root)';

const DEFAULT_ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const DEFAULT_SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
const NETTY_CODEC_JAR = '/usr/share/java/netty-codec.jar';
const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', '-Djava.awt.headless=true'];
const START_ATTEMPTS_MAX = 5;
const STOP_GRACE_MS = 5000;
const FOUR_LETTER_REPLY_BYTES_MAX = 1 << 20;

export interface StartZooKeeperOptions {
  /** Number of members; 1 runs a standalone server (Mode: standalone). Default 1. */
  readonly nodes?: number;
  /** tickTime. Default 500. */
  readonly tickMs?: number;
  /** minSessionTimeout. Default 2 × tick (ZooKeeper's default). */
  readonly minSessionMs?: number;
  /** maxSessionTimeout. Default 20 × tick (ZooKeeper's default). */
  readonly maxSessionMs?: number;
  /** initLimit in ticks. Default 10. */
  readonly initLimitTicks?: number;
  /** syncLimit in ticks: a hung leader is replaced after about syncLimit × tick. Default 5. */
  readonly syncLimitTicks?: number;
  /** Bind and connect address. Default 127.0.0.1. */
  readonly host?: string;
  /** Directory for configs, data and logs. Default: a new temp dir, removed by stopAll(). */
  readonly baseDir?: string;
  /** Keep baseDir after stopAll() (also ZK_HARNESS_KEEP=1). */
  readonly keepBaseDir?: boolean;
  /** Bound for all members to report a Mode. Default 60000 (a loaded 2-core machine is slow). */
  readonly startTimeoutMs?: number;
  /** Serve TLS on a secureClientPort per member (see ZooKeeperTlsOptions). */
  readonly tls?: ZooKeeperTlsOptions;
  /** Accept SASL clients (ZooKeeperSaslServer), see ZooKeeperSaslOptions. */
  readonly sasl?: ZooKeeperSaslOptions;
  /** JVM max heap. Default '128m'. */
  readonly heap?: string;
  /** Extra zoo.cfg lines (key=value). */
  readonly extraConfig?: Readonly<Record<string, string | number>>;
  /** java executable. Default: $JAVA, $JAVA_HOME/bin/java, then java on PATH. */
  readonly javaPath?: string;
  /** The ZooKeeper server jar. Default /usr/share/java/zookeeper.jar (or $ZK_JAR). */
  readonly zookeeperJar?: string;
}

/** The server side of ZooKeeper TLS (zoo.cfg ssl.*), in PEM: ZooKeeper reads the type from the key. */
export interface ZooKeeperTlsOptions {
  /** PEM file with the server's PRIVATE KEY and CERTIFICATE chain (ssl.keyStore.location). */
  readonly keyAndCertPem: string;
  /** PEM file with the CA certificates whose clients the server accepts (ssl.trustStore.location). */
  readonly trustPem: string;
  /** No plaintext clientPort: the members serve TLS only. */
  readonly only?: boolean;
  /** The harness's own client key and certificate (PEM), for four-letter words over TLS. */
  readonly adminKeyAndCertPem: string;
}

/** The server side of ZooKeeper SASL: a JAAS `Server` section of the harness's writing. */
export interface ZooKeeperSaslOptions {
  /** Kerberos (GSSAPI): the server's keytab and principal (zookeeper/<host>@REALM), and the realm's krb5.conf. */
  readonly kerberos?: { readonly keytab: string; readonly principal: string; readonly krb5Conf: string };
  /** DIGEST-MD5 users and their passwords (user_<name>="<password>"). */
  readonly digestUsers?: Readonly<Record<string, string>>;
  /** sessionRequireClientSASLAuth=true: clients must authenticate with SASL. */
  readonly required?: boolean;
}

/** The JAAS file of a SASL server (ZooKeeper reads one section for both mechanisms). */
function saslServerJaas(sasl: ZooKeeperSaslOptions): string {
  const q = (value: string): string => JSON.stringify(value);
  const modules: string[] = [];
  if (sasl.kerberos !== undefined)
    modules.push(
      `  com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab=${q(sasl.kerberos.keytab)} ` +
        `storeKey=true useTicketCache=false principal=${q(sasl.kerberos.principal)};`,
    );
  if (sasl.digestUsers !== undefined)
    modules.push(
      '  org.apache.zookeeper.server.auth.DigestLoginModule required ' +
        Object.entries(sasl.digestUsers)
          .map(([user, password]) => `user_${user}=${q(password)}`)
          .join(' ') +
        ';',
    );
  return `Server {\n${modules.join('\n')}\n};\n`;
}

export type ZooKeeperMode = 'leader' | 'follower' | 'observer' | 'standalone';
export type ZooKeeperMemberState = 'running' | 'paused' | 'stopped';

export interface ZooKeeperMember {
  /** myid, 1-based. */
  readonly id: number;
  readonly host: string;
  /** The plaintext port; with tls.only nobody listens on it. */
  readonly clientPort: number;
  /** The TLS port (secureClientPort); undefined without tls. */
  readonly secureClientPort: number | undefined;
  /** Quorum and election ports; undefined for a standalone server. */
  readonly quorumPort: number | undefined;
  readonly electionPort: number | undefined;
  /** host:clientPort, for a connect string naming just this member. */
  readonly address: string;
  /** The running JVM's pid (also its process group id); undefined while stopped. */
  readonly pid: number | undefined;
  readonly state: ZooKeeperMemberState;
  readonly dir: string;
  readonly configFile: string;
  /** The server's log (slf4j-simple on stderr, INFO): e.g. "Expiring session 0x..." lines. */
  readonly logFile: string;
}

export interface ZooKeeperEnsemble {
  /** host:port,host:port,... of all members (their clientPort; unusable with tls.only). */
  readonly connectString: string;
  /** host:secureClientPort,... of all members; undefined without tls. */
  readonly secureConnectString: string | undefined;
  readonly members: readonly ZooKeeperMember[];
  readonly baseDir: string;
  readonly tickMs: number;
  readonly minSessionMs: number;
  readonly maxSessionMs: number;
  member(id: number): ZooKeeperMember;
  /** SIGKILL the member's process group and wait until it is gone. */
  kill(id: number): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and wait until it is gone. */
  stop(id: number): Promise<void>;
  /** SIGSTOP: the process hangs, its sockets stay open (a GC pause or a hung host). */
  pause(id: number): void;
  /** SIGCONT. */
  resume(id: number): void;
  /** Start a stopped member again (stop it first if it runs) and wait until it serves. */
  restart(id: number, timeoutMs?: number): Promise<void>;
  /** Wait until some running member reports Mode leader (or standalone); returns its id. */
  leader(timeoutMs?: number): Promise<number>;
  /** The member's Mode from `srvr`, or undefined if it does not answer (stopped, paused, not serving). */
  mode(id: number, timeoutMs?: number): Promise<ZooKeeperMode | undefined>;
  /** Send a four-letter word (srvr, cons, mntr, dump, ...) and return the reply text. */
  fourLetterWord(id: number, command: string, timeoutMs?: number): Promise<string>;
  /** Wait until the member's `srvr` shows a Mode. */
  waitServing(id: number, timeoutMs?: number): Promise<void>;
  /** SIGKILL every member (test data is throw-away) and remove baseDir unless kept. Idempotent. */
  stopAll(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

function findJava(explicit: string | undefined): string {
  const candidates: string[] = [];
  if (explicit !== undefined) candidates.push(explicit);
  else {
    const fromEnv = process.env['JAVA'];
    if (fromEnv) candidates.push(fromEnv);
    const javaHome = process.env['JAVA_HOME'];
    if (javaHome) candidates.push(join(javaHome, 'bin', 'java'));
    for (const dir of (process.env['PATH'] ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'java'));
  }
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(
    `ZooKeeper test server: no java executable found ` +
      `(${explicit ?? 'looked at $JAVA, $JAVA_HOME/bin/java and PATH'}). ` +
      `Install it with: ${ZOOKEEPER_INSTALL_HINT}`,
  );
}

function findJar(explicit: string | undefined): string {
  const jar = explicit ?? process.env['ZK_JAR'] ?? DEFAULT_ZOOKEEPER_JAR;
  if (!existsSync(jar)) {
    throw new Error(`ZooKeeper test server: ${jar} is missing. Install it with: ${ZOOKEEPER_INSTALL_HINT}`);
  }
  return jar;
}

// ---------------------------------------------------------------------------------------------
// Free ports

// ---------------------------------------------------------------------------------------------
// Four-letter words

/** Send a four-letter word to host:port and collect the reply until the server closes. */
export function sendFourLetterWord(
  host: string,
  port: number,
  command: string,
  timeoutMs = 2000,
  tls?: ConnectionOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const socket: Socket = tls === undefined ? connect({ host, port }) : tlsConnect({ ...tls, host, port });
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(
      () => finish(new Error(`${command} to ${host}:${port}: no reply within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on(tls === undefined ? 'connect' : 'secureConnect', () => socket.write(command));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > FOUR_LETTER_REPLY_BYTES_MAX)
        finish(new Error(`${command} to ${host}:${port}: reply larger than ${FOUR_LETTER_REPLY_BYTES_MAX} bytes`));
      else chunks.push(chunk);
    });
    socket.on('end', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('error', (error) => finish(error));
  });
}

function parseMode(srvr: string): ZooKeeperMode | undefined {
  const match = /^Mode: (\w+)/m.exec(srvr);
  const mode = match?.[1];
  return mode === 'leader' || mode === 'follower' || mode === 'observer' || mode === 'standalone' ? mode : undefined;
}

// ---------------------------------------------------------------------------------------------
// Process-exit safety net: every live member of every ensemble of this process.

const liveMembers = new Set<MemberProcess>();
let exitHooksInstalled = false;

function killAllLiveMembersSync(): void {
  for (const member of liveMembers) member.killSync();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllLiveMembersSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllLiveMembersSync();
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

// ---------------------------------------------------------------------------------------------
// One member

interface MemberPlan {
  readonly id: number;
  readonly host: string;
  readonly clientPort: number;
  readonly secureClientPort: number | undefined;
  readonly quorumPort: number | undefined;
  readonly electionPort: number | undefined;
  readonly dir: string;
}

class MemberProcess implements ZooKeeperMember {
  readonly id: number;
  readonly host: string;
  readonly clientPort: number;
  readonly secureClientPort: number | undefined;
  readonly quorumPort: number | undefined;
  readonly electionPort: number | undefined;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private sentinel: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private paused = false;

  constructor(
    plan: MemberPlan,
    private readonly java: string,
    private readonly classpath: string,
    private readonly heap: string,
    private readonly jvmOptions: readonly string[] = [],
  ) {
    this.id = plan.id;
    this.host = plan.host;
    this.clientPort = plan.clientPort;
    this.secureClientPort = plan.secureClientPort;
    this.quorumPort = plan.quorumPort;
    this.electionPort = plan.electionPort;
    this.dir = plan.dir;
    this.configFile = join(plan.dir, 'zoo.cfg');
    this.logFile = join(plan.dir, 'zk.log');
  }

  get address(): string {
    return `${this.host}:${this.clientPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get state(): ZooKeeperMemberState {
    if (this.child === undefined) return 'stopped';
    return this.paused ? 'paused' : 'running';
  }

  /** Spawn the JVM; resolves once spawned (not once serving). Rejects if the spawn itself fails. */
  async spawn(): Promise<void> {
    if (this.child !== undefined) throw new Error(`ZooKeeper member ${this.id} is already running`);
    const logFd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        this.java,
        [
          `-Xmx${this.heap}`,
          ...JVM_FLAGS,
          ...this.jvmOptions,
          '-cp',
          this.classpath,
          'org.apache.zookeeper.server.quorum.QuorumPeerMain',
          this.configFile,
        ],
        {
          cwd: this.dir,
          detached: true, // own session and process group: signals go to the whole group
          stdio: ['ignore', logFd, logFd],
        },
      );
    } finally {
      closeSync(logFd);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error) =>
        reject(
          new Error(
            `ZooKeeper member ${this.id}: cannot start ${this.java}: ` +
              `${error.message}. Install: ${ZOOKEEPER_INSTALL_HINT}`,
          ),
        ),
      );
    });
    child.on('error', () => undefined); // a later signal error must not become an uncaught 'error' event
    child.unref(); // the harness alone never keeps the event loop alive
    this.child = child;
    this.paused = false;
    liveMembers.add(this);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (this.child === child) {
          this.child = undefined;
          this.paused = false;
          liveMembers.delete(this);
          this.stopSentinel();
        }
        resolve();
      });
    });
    this.startSentinel(child.pid);
  }

  /**
   * A detached shell that blocks reading a pipe from this process; the pipe closes when this
   * process dies for any reason, and the shell then SIGKILLs the JVM's process group.
   */
  private startSentinel(pgid: number | undefined): void {
    if (pgid === undefined) return;
    try {
      const sentinel = spawn(
        '/bin/sh',
        ['-c', 'read -r _; kill -KILL -"$1" 2>/dev/null', 'zk-harness-sentinel', String(pgid)],
        {
          detached: true,
          stdio: ['pipe', 'ignore', 'ignore'],
        },
      );
      sentinel.on('error', () => undefined);
      sentinel.stdin?.on('error', () => undefined);
      sentinel.unref();
      const stdin = sentinel.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
      stdin?.unref?.();
      this.sentinel = sentinel;
    } catch {
      // Best effort: the exit hooks still cover ordinary exits.
    }
  }

  private stopSentinel(): void {
    const sentinel = this.sentinel;
    this.sentinel = undefined;
    if (sentinel?.pid !== undefined) {
      try {
        process.kill(sentinel.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Resolves when the current JVM has exited (immediately if none). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`ZooKeeper member ${this.id} is not running`);
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  pause(): void {
    this.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.paused = false;
  }

  async kill(): Promise<void> {
    if (this.child === undefined) return;
    // Keep the event loop alive while we wait: the child is unref'd, and a plain script whose only
    // pending work is this wait would otherwise exit with an unsettled promise.
    this.child.ref();
    this.signal('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child === undefined) return;
    const exited = this.exited;
    this.child.ref(); // see kill()
    this.signal('SIGTERM');
    if (this.paused) this.signal('SIGCONT'); // a stopped process handles SIGTERM only once continued
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut && this.child !== undefined) await this.kill();
  }

  killSync(): void {
    const pid = this.child?.pid;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.stopSentinel();
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The ensemble

class Ensemble implements ZooKeeperEnsemble {
  readonly connectString: string;
  readonly secureConnectString: string | undefined;
  private stopped = false;

  constructor(
    readonly members: readonly MemberProcess[],
    readonly baseDir: string,
    readonly tickMs: number,
    readonly minSessionMs: number,
    readonly maxSessionMs: number,
    private readonly removeBaseDir: boolean,
    private readonly tls: ZooKeeperTlsOptions | undefined,
  ) {
    this.connectString = members.map((member) => member.address).join(',');
    this.secureConnectString =
      tls === undefined ? undefined : members.map((member) => `${member.host}:${member.secureClientPort}`).join(',');
  }

  member(id: number): MemberProcess {
    const member = this.members.find((candidate) => candidate.id === id);
    if (member === undefined) throw new Error(`no ZooKeeper member with id ${id} (ids 1..${this.members.length})`);
    return member;
  }

  kill(id: number): Promise<void> {
    return this.member(id).kill();
  }

  stop(id: number): Promise<void> {
    return this.member(id).stop();
  }

  pause(id: number): void {
    this.member(id).pause();
  }

  resume(id: number): void {
    this.member(id).resume();
  }

  async restart(id: number, timeoutMs = 60_000): Promise<void> {
    const member = this.member(id);
    if (member.state !== 'stopped') await member.stop();
    await member.spawn();
    await this.waitServing(id, timeoutMs);
  }

  fourLetterWord(id: number, command: string, timeoutMs = 2000): Promise<string> {
    const member = this.member(id);
    if (this.tls?.only === true) {
      const pem = readFileSync(this.tls.adminKeyAndCertPem, 'utf8');
      return sendFourLetterWord(member.host, member.secureClientPort!, command, timeoutMs, {
        key: pem,
        cert: pem,
        ca: readFileSync(this.tls.trustPem, 'utf8'),
      });
    }
    return sendFourLetterWord(member.host, member.clientPort, command, timeoutMs);
  }

  async mode(id: number, timeoutMs = 2000): Promise<ZooKeeperMode | undefined> {
    const member = this.member(id);
    if (member.state !== 'running') return undefined;
    try {
      return parseMode(await this.fourLetterWord(id, 'srvr', timeoutMs));
    } catch {
      return undefined;
    }
  }

  async waitServing(id: number, timeoutMs = 60_000): Promise<void> {
    const member = this.member(id);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (member.state === 'stopped') {
        throw new Error(`ZooKeeper member ${id} exited while starting; log tail:\n${member.logTail()}`);
      }
      if ((await this.mode(id, 1000)) !== undefined) return;
      if (Date.now() > deadline) {
        throw new Error(
          `ZooKeeper member ${id} (${member.address}) not serving ` +
            `after ${timeoutMs} ms; log tail:\n${member.logTail()}`,
        );
      }
      await sleep(50);
    }
  }

  async leader(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const modes = await Promise.all(
        this.members.map(async (member) => ({ id: member.id, mode: await this.mode(member.id, 1000) })),
      );
      const found = modes.find((entry) => entry.mode === 'leader' || entry.mode === 'standalone');
      if (found !== undefined) return found.id;
      if (Date.now() > deadline) {
        throw new Error(
          `no ZooKeeper leader within ${timeoutMs} ms (modes: ` +
            `${modes.map((m) => `${m.id}=${m.mode ?? 'none'}`).join(', ')})`,
        );
      }
      await sleep(50);
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map((member) => member.kill()));
    if (!this.stopped) {
      this.stopped = true;
      if (this.removeBaseDir) rmSync(this.baseDir, { recursive: true, force: true });
    }
  }
}

function writeMemberFiles(plan: MemberPlan, all: readonly MemberPlan[], settings: ConfigSettings): void {
  mkdirSync(join(plan.dir, 'data'), { recursive: true });
  const lines: string[] = [
    `tickTime=${settings.tickMs}`,
    `initLimit=${settings.initLimitTicks}`,
    `syncLimit=${settings.syncLimitTicks}`,
    `dataDir=${join(plan.dir, 'data')}`,
    ...(settings.tls?.only === true ? [] : [`clientPort=${plan.clientPort}`, `clientPortAddress=${plan.host}`]),
    `minSessionTimeout=${settings.minSessionMs}`,
    `maxSessionTimeout=${settings.maxSessionMs}`,
    // Jetty's AdminServer would grab :8080; tests need every four-letter word; fsync is pointless here.
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
    'forceSync=no',
    // Small txn-log preallocation (KB): many throw-away servers, little disk.
    'preAllocSize=1024',
  ];
  if (all.length > 1) {
    for (const member of all)
      lines.push(`server.${member.id}=${member.host}:${member.quorumPort}:${member.electionPort}`);
  }
  if (settings.tls !== undefined) {
    lines.push(
      `secureClientPort=${plan.secureClientPort}`,
      `secureClientPortAddress=${plan.host}`,
      'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
      `ssl.keyStore.location=${settings.tls.keyAndCertPem}`,
      'ssl.keyStore.type=PEM',
      `ssl.trustStore.location=${settings.tls.trustPem}`,
      'ssl.trustStore.type=PEM',
      'ssl.clientAuth=need',
    );
  }
  if (settings.sasl !== undefined) {
    lines.push('authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider');
    if (settings.sasl.required === true) lines.push('sessionRequireClientSASLAuth=true');
  }
  for (const [key, value] of Object.entries(settings.extraConfig)) lines.push(`${key}=${value}`);
  writeFileSync(join(plan.dir, 'zoo.cfg'), lines.join('\n') + '\n');
  writeFileSync(join(plan.dir, 'data', 'myid'), `${plan.id}\n`);
}

interface ConfigSettings {
  readonly tickMs: number;
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  readonly minSessionMs: number;
  readonly maxSessionMs: number;
  readonly extraConfig: Readonly<Record<string, string | number>>;
  readonly tls: ZooKeeperTlsOptions | undefined;
  readonly sasl: ZooKeeperSaslOptions | undefined;
}

function looksLikePortConflict(log: string): boolean {
  return /BindException|Address already in use|UNABLE_TO_BIND|Unable to bind/i.test(log);
}

/**
 * Start a ZooKeeper standalone server (nodes = 1) or ensemble and wait until every member serves.
 * Throws an Error naming what to install when java or the jar is missing.
 */
export async function startZooKeeper(options: StartZooKeeperOptions = {}): Promise<ZooKeeperEnsemble> {
  const nodes = options.nodes ?? 1;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9)
    throw new Error(`nodes must be an integer in 1..9, got ${nodes}`);
  const tickMs = options.tickMs ?? 500;
  const settings: ConfigSettings = {
    tickMs,
    initLimitTicks: options.initLimitTicks ?? 10,
    syncLimitTicks: options.syncLimitTicks ?? 5,
    minSessionMs: options.minSessionMs ?? 2 * tickMs,
    maxSessionMs: options.maxSessionMs ?? 20 * tickMs,
    extraConfig: options.extraConfig ?? {},
    tls: options.tls,
    sasl: options.sasl,
  };
  if (settings.minSessionMs > settings.maxSessionMs) {
    throw new Error(`minSessionMs ${settings.minSessionMs} > maxSessionMs ${settings.maxSessionMs}`);
  }
  const java = findJava(options.javaPath);
  const jar = findJar(options.zookeeperJar);
  // Debian's zookeeper.jar manifest lists netty-handler but not netty-codec, which the Netty server
  // (TLS) needs; both come with libnetty-java, a dependency of libzookeeper-java.
  const extraJars = [DEFAULT_SLF4J_SIMPLE_JAR, ...(options.tls !== undefined ? [NETTY_CODEC_JAR] : [])];
  const classpath = [jar, ...extraJars.filter((extra) => existsSync(extra))].join(':');
  const host = options.host ?? '127.0.0.1';
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'zk-harness-'));
  mkdirSync(baseDir, { recursive: true });
  const keep = options.keepBaseDir === true || process.env['ZK_HARNESS_KEEP'] === '1' || options.baseDir !== undefined;
  installExitHooks();
  const jvmOptions: string[] = [];
  if (options.sasl !== undefined) {
    const jaas = join(baseDir, 'zk-server-jaas.conf');
    writeFileSync(jaas, saslServerJaas(options.sasl));
    jvmOptions.push(`-Djava.security.auth.login.config=${jaas}`);
    if (options.sasl.kerberos !== undefined)
      jvmOptions.push(`-Djava.security.krb5.conf=${options.sasl.kerberos.krb5Conf}`);
  }

  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt++) {
    const plainCount = nodes === 1 ? 1 : nodes * 3;
    const ports = await pickFreePorts(plainCount + (options.tls === undefined ? 0 : nodes), host);
    const securePorts = ports.slice(plainCount);
    const plans: MemberPlan[] = [];
    for (let index = 0; index < nodes; index++) {
      plans.push({
        id: index + 1,
        host,
        clientPort: ports[index * (nodes === 1 ? 1 : 3)] as number,
        secureClientPort: securePorts[index],
        quorumPort: nodes === 1 ? undefined : ports[index * 3 + 1],
        electionPort: nodes === 1 ? undefined : ports[index * 3 + 2],
        dir: join(baseDir, `attempt${attempt}`, `zk${index + 1}`),
      });
    }
    for (const plan of plans) writeMemberFiles(plan, plans, settings);
    const members = plans.map((plan) => new MemberProcess(plan, java, classpath, options.heap ?? '128m', jvmOptions));
    const ensemble = new Ensemble(
      members,
      baseDir,
      tickMs,
      settings.minSessionMs,
      settings.maxSessionMs,
      !keep,
      options.tls,
    );
    try {
      await Promise.all(members.map((member) => member.spawn()));
      await Promise.all(members.map((member) => ensemble.waitServing(member.id, startTimeoutMs)));
      return ensemble;
    } catch (error) {
      lastError = error as Error;
      await Promise.all(members.map((member) => member.kill()));
      const conflict = members.some((member) => looksLikePortConflict(member.logTail(200)));
      if (!conflict) break;
      // Another process took a port between our check and the JVM's bind: new ports, new attempt.
    }
  }
  if (!keep) rmSync(baseDir, { recursive: true, force: true });
  throw lastError ?? new Error('ZooKeeper did not start');
}
