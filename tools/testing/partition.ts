// Network partitions of single processes from ZooKeeper on one loopback host, for the fault
// catalogue and the chaos runner. Every daemon that may be cut off lives in its own cgroup v2
// (moved there right after spawn); an iptables rule in OUTPUT with `-m cgroup --path <its cgroup>`
// DROPs its TCP packets to the ZooKeeper client ports. Nothing else is affected: the other
// daemons (same host, same user, same ZooKeeper ports) and this daemon's own traffic to its
// NameNode, its peers and sshd keep flowing.
//
// Why cgroups rather than a dedicated user (`-m owner --uid-owner`) or a network namespace: the
// daemon keeps running as the same user as everything else, so its shell fencing can still kill
// the simulated NameNodes and it reads the same files; and ZooKeeper stays on 127.0.0.1. What the
// partition looks like to the daemon: new connections to ZooKeeper fail at once (a locally
// dropped SYN makes connect() fail with EPERM), an established connection goes silent (its
// segments are dropped; ZooKeeper's replies stop because nothing reaches it). The servers see
// nothing from the session and expire it after the session timeout, as in a real partition.
//
// Needs root (CAP_NET_ADMIN, write access to the cgroup2 hierarchy), iptables with the cgroup
// match (nf_tables backend here) and a cgroup2 mount. Anything missing fails loudly with what to
// install or enable; nothing is skipped. Rules and cgroups are removed by dispose(), and the
// rules also on process exit.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ZkfcError } from '../../src/errors.js';
import { sleep } from './wait.js';

const run = promisify(execFile);

export class PartitionUnavailableError extends ZkfcError<'PARTITION_UNAVAILABLE'> {
  readonly code = 'PARTITION_UNAVAILABLE';
}

export const PARTITION_REQUIREMENTS =
  'partitioning one daemon from ZooKeeper needs root (CAP_NET_ADMIN), iptables with the cgroup match ' +
  '(apt-get install -y --no-install-recommends iptables) and a writable cgroup2 hierarchy (mounted at ' +
  '/sys/fs/cgroup or /sys/fs/cgroup/unified)';

/** Where cgroup2 is mounted, from /proc/self/mounts; undefined when it is not. */
export function cgroup2MountPoint(): string | undefined {
  let mounts: string;
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (type === 'cgroup2' && mountPoint !== undefined) return mountPoint;
  }
  return undefined;
}

const liveRules = new Set<string>();
let exitHookInstalled = false;

function ruleArgs(cgroupPath: string, zkPorts: readonly number[]): string[] {
  return [
    'OUTPUT',
    '-o',
    'lo',
    '-p',
    'tcp',
    '-m',
    'cgroup',
    '--path',
    cgroupPath,
    '-m',
    'multiport',
    '--dports',
    zkPorts.join(','),
    '-j',
    'DROP',
  ];
}

function removeRulesSync(): void {
  for (const key of liveRules) {
    try {
      execFileSync('iptables', ['-w', '10', '-D', ...(JSON.parse(key) as string[])], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  liveRules.clear();
}

/** One group of cgroups (one per daemon) and the partitions currently applied to them. */
export class ZkPartitioner {
  private readonly groups = new Map<string, string>();
  private readonly active = new Map<string, string>();

  private constructor(
    private readonly mountPoint: string,
    /** Path of our parent cgroup relative to the cgroup2 root, e.g. "zkfc-faults-1234". */
    readonly parent: string,
    private readonly zkPorts: readonly number[],
  ) {}

  /**
   * Check every prerequisite (fails with PartitionUnavailableError saying what is missing) and
   * create the parent cgroup. `zkPorts` are the client ports of every ZooKeeper member.
   */
  static async create(
    zkPorts: readonly number[],
    name = `zkfc-faults-${process.pid}-${Date.now().toString(36)}`,
  ): Promise<ZkPartitioner> {
    if (process.getuid?.() !== 0)
      throw new PartitionUnavailableError(`${PARTITION_REQUIREMENTS}; this process is not root`);
    const mountPoint = cgroup2MountPoint();
    if (mountPoint === undefined)
      throw new PartitionUnavailableError(`${PARTITION_REQUIREMENTS}; no cgroup2 mount in /proc/self/mounts`);
    try {
      await run('iptables', ['-w', '10', '-L', 'OUTPUT', '-n']);
    } catch (error) {
      throw new PartitionUnavailableError(`${PARTITION_REQUIREMENTS}; iptables -L failed: ${firstLine(error)}`, {
        cause: error,
      });
    }
    try {
      mkdirSync(join(mountPoint, name), { recursive: true });
    } catch (error) {
      throw new PartitionUnavailableError(
        `${PARTITION_REQUIREMENTS}; cannot create cgroup ${join(mountPoint, name)}: ${firstLine(error)}`,
        { cause: error },
      );
    }
    const partitioner = new ZkPartitioner(mountPoint, name, zkPorts);
    // Prove the cgroup match works here before any test relies on it.
    const probe = ruleArgs(`${name}`, zkPorts);
    try {
      await run('iptables', ['-w', '10', '-I', ...probe]);
      await run('iptables', ['-w', '10', '-D', ...probe]);
    } catch (error) {
      await partitioner.removeCgroups();
      throw new PartitionUnavailableError(
        `${PARTITION_REQUIREMENTS}; iptables refused the cgroup match: ${firstLine(error)}`,
        { cause: error },
      );
    }
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', removeRulesSync);
    }
    return partitioner;
  }

  /** Put a freshly spawned process into the cgroup of `member` (created on first use). */
  adopt(member: string, pid: number): void {
    let group = this.groups.get(member);
    if (group === undefined) {
      group = `${this.parent}/${member}`;
      mkdirSync(join(this.mountPoint, group), { recursive: true });
      this.groups.set(member, group);
    }
    writeFileSync(join(this.mountPoint, group, 'cgroup.procs'), String(pid));
  }

  isPartitioned(member: string): boolean {
    return this.active.has(member);
  }

  /** Drop the member's packets to every ZooKeeper client port until heal(). */
  async partition(member: string): Promise<void> {
    if (this.active.has(member)) return;
    const group = this.groups.get(member);
    if (group === undefined)
      throw new PartitionUnavailableError(`no process of ${member} was adopted into a cgroup; cannot partition it`);
    const args = ruleArgs(group, this.zkPorts);
    const key = JSON.stringify(args);
    liveRules.add(key);
    try {
      await run('iptables', ['-w', '10', '-I', ...args]);
    } catch (error) {
      liveRules.delete(key);
      throw new PartitionUnavailableError(`iptables -I for ${member} failed: ${firstLine(error)}`, { cause: error });
    }
    this.active.set(member, key);
  }

  async heal(member: string): Promise<void> {
    const key = this.active.get(member);
    if (key === undefined) return;
    this.active.delete(member);
    await run('iptables', ['-w', '10', '-D', ...(JSON.parse(key) as string[])]).catch(() => undefined);
    liveRules.delete(key);
  }

  async healAll(): Promise<void> {
    for (const member of [...this.active.keys()]) await this.heal(member);
  }

  /** Remove the rules and the cgroups (their processes must have exited). Idempotent. */
  async dispose(): Promise<void> {
    await this.healAll();
    await this.removeCgroups();
  }

  private async removeCgroups(): Promise<void> {
    for (const group of this.groups.values()) await removeCgroup(join(this.mountPoint, group));
    this.groups.clear();
    await removeCgroup(join(this.mountPoint, this.parent));
  }
}

async function removeCgroup(path: string): Promise<void> {
  // A cgroup can only be removed when empty; a process that is still exiting keeps it for a moment.
  for (let attempt = 0; attempt < 100 && existsSync(path); attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch {
      await sleep(20);
    }
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
