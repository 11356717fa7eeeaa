// Finding and killing every process a fencing command started, including those that left its
// process group (`setsid`, daemonising double forks), so nothing it started outlives its deadline.
// Two ways, the first that works here is used for each command:
//
// 1. cgroup: a cgroup v2 child of the daemon's own cgroup (zkfc-fence-<pid>-<n>), created per
//    command; the command is moved into it before it runs (it waits on a pipe until then), so
//    all its descendants are born inside. Killing is `cgroup.kill` (Linux 5.14+; else freeze and
//    SIGKILL each member), and nothing can escape by forking or changing session. Needs write
//    access to the daemon's cgroup: root, or a delegated cgroup (systemd Delegate=yes without
//    ProtectControlGroups=yes). The shipped unit keeps ProtectControlGroups=yes (read-only
//    /sys/fs/cgroup), so as a service the daemon uses the fallback; systemd still kills whatever
//    is left in the unit's cgroup when the service stops (KillMode=mixed).
// 2. process-tree (fallback): every command gets ZKFC_FENCE_TOKEN=<random> in its environment and
//    leads its own session. Its members are the processes of that session or process group,
//    those whose environment carries the token (read from /proc/<pid>/environ: same user only),
//    and every descendant of those by parent pid; a process once seen as a member stays one
//    (by pid and start time) after its parent dies. Killing stops them all with SIGSTOP first (so
//    none forks or exits and reparents its children while we look), then SIGKILLs them, and
//    repeats until none is left. Not caught: a process that both left the session and dropped
//    the token from its environment, and whose parent chain to a member was already broken
//    before we first looked (a double fork with `env -i`, then the parent's exit).
//
// Beyond Hadoop, which waits for the fencing command forever and kills nothing.

import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../runtime/ports.js';

/** Environment variable that marks every process a fencing command starts (process-tree fallback). */
export const FENCE_TOKEN_ENV = 'ZKFC_FENCE_TOKEN';

export type ContainmentKind = 'cgroup' | 'process-tree';

export interface Containment {
  readonly kind: ContainmentKind;
  /** The value of ZKFC_FENCE_TOKEN for this command. */
  readonly token: string;
  /** Added to the command's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The command must not run before adopt() (it waits for a line on fd 3). */
  readonly gated: boolean;
  /** Take in the command's first process. Throws when it cannot (then use another containment). */
  adopt(pid: number): void;
  /** Pids of the live members (zombies excluded). */
  members(): number[];
  /** Send `signal` to every live member; returns how many got it. */
  signal(signal: NodeJS.Signals): number;
  /** SIGKILL every member until none is left (bounded effort); resolves with how many were killed. */
  killAll(): Promise<number>;
  /** Remove what adopt() created (the cgroup). Best effort, never throws. */
  release(): Promise<void>;
}

export interface ContainmentOptions {
  /** 'auto' (default): a cgroup when one can be created, else the process tree. */
  readonly prefer?: 'auto' | ContainmentKind;
  readonly clock: Pick<Clock, 'schedule'>;
}

let sequence = 0;

/** A containment for one fencing command. Never throws: falls back to the process tree. */
export function openContainment(options: ContainmentOptions): Containment {
  // The random part tells this daemon's commands from those of an earlier process that had the
  // same pid; it need not be secret, so Math.random serves and the daemon does not load
  // node:crypto (resident memory from start-up on, or a delay in the first failover if loaded then).
  const random64 = [0, 1]
    .map(() =>
      Math.floor(Math.random() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    )
    .join('');
  const token = `${process.pid}-${++sequence}-${random64}`;
  if ((options.prefer ?? 'auto') !== 'process-tree') {
    const cgroup = CgroupContainment.create(token, options.clock);
    if (cgroup !== undefined) return cgroup;
  }
  return new ProcessTreeContainment(token, options.clock);
}

/** The process-tree containment for a command already started with `containment.env`. */
export function processTreeFallback(containment: Containment, clock: Pick<Clock, 'schedule'>): Containment {
  return new ProcessTreeContainment(containment.token, clock);
}

/** Where this process's cgroup v2 directory is, when the unified hierarchy is mounted. */
export function ownCgroupDirectory(): string | undefined {
  let mountPoint: string | undefined;
  let ownPath: string | undefined;
  try {
    for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
      const [, point, type] = line.split(' ');
      if (type === 'cgroup2' && point !== undefined) {
        mountPoint = point;
        break;
      }
    }
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      if (line.startsWith('0::')) ownPath = line.slice(3);
    }
  } catch {
    return undefined;
  }
  if (mountPoint === undefined || ownPath === undefined) return undefined;
  return join(mountPoint, ownPath);
}

const wait = (clock: Pick<Clock, 'schedule'>, ms: number): Promise<void> =>
  new Promise((resolve) => clock.schedule(ms, resolve));

function signalPid(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // ESRCH: gone; EPERM: not ours (never a member we created)
  }
}

class CgroupContainment implements Containment {
  readonly kind = 'cgroup';
  readonly gated = true;
  readonly env: Readonly<Record<string, string>>;

  private constructor(
    private readonly directory: string,
    readonly token: string,
    private readonly clock: Pick<Clock, 'schedule'>,
  ) {
    this.env = { [FENCE_TOKEN_ENV]: token };
  }

  static create(token: string, clock: Pick<Clock, 'schedule'>): CgroupContainment | undefined {
    const parent = ownCgroupDirectory();
    if (parent === undefined) return undefined;
    removeStaleCgroups(parent);
    const directory = join(parent, `zkfc-fence-${token.split('-').slice(0, 2).join('-')}`);
    try {
      mkdirSync(directory);
      if (!existsSync(join(directory, 'cgroup.procs'))) {
        rmdirSync(directory);
        return undefined;
      }
    } catch {
      return undefined; // EROFS (ProtectControlGroups), EACCES (not delegated), ENOENT
    }
    return new CgroupContainment(directory, token, clock);
  }

  adopt(pid: number): void {
    writeFileSync(join(this.directory, 'cgroup.procs'), String(pid));
  }

  members(): number[] {
    try {
      return readFileSync(join(this.directory, 'cgroup.procs'), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map(Number)
        .filter((pid) => Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isZombie(pid));
    } catch {
      return [];
    }
  }

  signal(signal: NodeJS.Signals): number {
    return this.members().filter((pid) => signalPid(pid, signal)).length;
  }

  async killAll(): Promise<number> {
    const before = this.members();
    if (before.length === 0) return 0;
    const killFile = join(this.directory, 'cgroup.kill');
    const freezeFile = join(this.directory, 'cgroup.freeze');
    for (let round = 0; round < 20; round++) {
      const members = this.members();
      if (members.length === 0) break;
      if (existsSync(killFile)) {
        try {
          writeFileSync(killFile, '1');
        } catch {
          for (const pid of members) signalPid(pid, 'SIGKILL');
        }
      } else {
        // Frozen members cannot fork between our reading the list and the kill.
        tryWrite(freezeFile, '1');
        for (const pid of members) signalPid(pid, 'SIGKILL');
        tryWrite(freezeFile, '0');
      }
      await wait(this.clock, 10 + round * 10);
    }
    return before.length;
  }

  async release(): Promise<void> {
    // A killed member counts until its parent reaps it (pid 1 for a daemonised escapee), so give
    // the kernel time; what is still left is removed by the next command's removeStaleCgroups.
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        rmdirSync(this.directory);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        await wait(this.clock, Math.min(1000, 25 * 2 ** attempt));
      }
    }
  }
}

/**
 * Remove the empty cgroups earlier commands left behind (their release gave up, or the daemon that
 * made them died): ours once empty, and those of daemons that are gone. Best effort.
 */
function removeStaleCgroups(parent: string): void {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = /^zkfc-fence-(\d+)-\d+$/.exec(entry);
    if (match === null) continue;
    const owner = Number(match[1]);
    if (owner !== process.pid && signalPid(owner, 0)) continue; // another live daemon's: not ours to touch
    try {
      rmdirSync(join(parent, entry)); // fails (EBUSY) while anything still lives in it
    } catch {
      // still populated, or gone meanwhile
    }
  }
}

function tryWrite(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {
    // not available on this kernel
  }
}

interface ProcStat {
  readonly pid: number;
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  /** Start time in clock ticks since boot: with the pid, identifies one process (pids are reused). */
  readonly startTime: string;
}

/** /proc/<pid>/stat, parsed; undefined when the process is gone. */
function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain ') '.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    session: Number(fields[3]),
    startTime: fields[19] ?? '',
  };
}

function isZombie(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}

class ProcessTreeContainment implements Containment {
  readonly kind = 'process-tree';
  readonly gated = false;
  readonly env: Readonly<Record<string, string>>;
  private readonly marker: Buffer;
  private leader: number | undefined;
  private readonly uid = process.getuid?.();
  /** Every member ever seen (pid → start time): one whose parent died since is still ours. */
  private readonly seen = new Map<number, string>();

  constructor(
    readonly token: string,
    private readonly clock: Pick<Clock, 'schedule'>,
  ) {
    this.env = { [FENCE_TOKEN_ENV]: token };
    this.marker = Buffer.from(`\0${FENCE_TOKEN_ENV}=${token}\0`);
  }

  adopt(pid: number): void {
    this.leader = pid;
  }

  members(): number[] {
    const leader = this.leader;
    if (leader === undefined) return [];
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return signalPid(leader, 0) ? [leader] : [];
    }
    const all: ProcStat[] = [];
    for (const entry of entries) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
      const stat = readStat(pid);
      if (stat !== undefined && stat.state !== 'Z' && stat.state !== 'X') all.push(stat);
    }
    const members = new Set<number>();
    for (const stat of all) {
      // A session or process group id is never reused while a process still uses it, so these
      // match only what the command started.
      if (
        stat.pid === leader ||
        stat.session === leader ||
        stat.pgrp === leader ||
        this.seen.get(stat.pid) === stat.startTime ||
        this.carriesToken(stat.pid)
      ) {
        members.add(stat.pid);
      }
    }
    // Descendants of members, by parent pid, until nothing new is found.
    for (let grew = true; grew;) {
      grew = false;
      for (const stat of all) {
        if (!members.has(stat.pid) && members.has(stat.ppid)) {
          members.add(stat.pid);
          grew = true;
        }
      }
    }
    for (const stat of all) if (members.has(stat.pid)) this.seen.set(stat.pid, stat.startTime);
    return [...members];
  }

  private carriesToken(pid: number): boolean {
    try {
      if (this.uid !== undefined && statSync(`/proc/${pid}`).uid !== this.uid) return false;
      const environ = readFileSync(`/proc/${pid}/environ`);
      // The first variable has no NUL before it.
      return Buffer.concat([Buffer.from([0]), environ]).includes(this.marker);
    } catch {
      return false;
    }
  }

  signal(signal: NodeJS.Signals): number {
    return this.members().filter((pid) => signalPid(pid, signal)).length;
  }

  async killAll(): Promise<number> {
    const killed = new Set<number>();
    for (let round = 0; round < 20; round++) {
      // Stop everything first: a stopped process neither forks nor exits (which would reparent
      // its children and cut them off from the tree) while we look for more.
      let members = this.members();
      if (members.length === 0) break;
      for (let pass = 0; pass < 8; pass++) {
        for (const pid of members) signalPid(pid, 'SIGSTOP');
        const again = this.members();
        const grew = again.some((pid) => !members.includes(pid));
        members = again;
        if (!grew) break;
      }
      for (const pid of members) if (signalPid(pid, 'SIGKILL')) killed.add(pid);
      await wait(this.clock, 10 + round * 10);
    }
    return killed.size;
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}
