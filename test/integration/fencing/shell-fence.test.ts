// Goal: shell(...) fencing runs commands exactly as Hadoop's ShellCommandFencer does (bash -e -c,
// stdin closed, environment = process env + target conf with '.'→'_' + target_* variables, exit 0
// = fenced, output logged with "[PID n] <abbreviated command>" and known secrets redacted), never
// lets hostile host names inject commands, and enforces a hard deadline that kills everything the
// script started: its process group, and processes that escaped it with setsid or a double fork,
// both in a cgroup (root here) and with the process-tree fallback.
// Method: real bash child processes; scripts write what they see (their environment, their
// children's pids) into a temp directory that the test then inspects.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NamenodeTarget } from '../../../src/core/types.js';
import { ownCgroupDirectory } from '../../../src/fencing/containment.js';
import { abbreviate, shellFence, type ShellFenceOptions } from '../../../src/fencing/shell-fence.js';
import { processAlive } from '../../../tools/testing/processes.js';
import { captureLogger, killQuietly } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';
import { waitUntil } from '../../../tools/testing/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'zkfc-shell-fence-'));
const startedPids: number[] = [];
afterAll(() => {
  for (const pid of startedPids) killQuietly(pid);
  rmSync(dir, { recursive: true, force: true });
});

const target: NamenodeTarget = {
  nameserviceId: 'ns1',
  namenodeId: 'nn2',
  serviceAddress: { host: '10.1.2.3', port: 8020 },
  zkfcPort: 8019,
};

function options(command: string, overrides: Partial<ShellFenceOptions> = {}): ShellFenceOptions {
  return {
    command,
    target,
    targetConf: new Map(),
    timeoutMs: 10_000,
    baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    clock: realClock,
    logger: captureLogger().logger,
    ...overrides,
  };
}

/** Parse `env -0` output into a map. */
function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(path, 'utf8').split('\0')) {
    if (entry.length === 0) continue;
    const eq = entry.indexOf('=');
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function readPid(path: string): number {
  const pid = Number(readFileSync(path, 'utf8').trim());
  startedPids.push(pid);
  return pid;
}

describe('shell fencing environment', () => {
  it('gives the script exactly: base env, then target conf with . → _, then target_* variables', async () => {
    const out = join(dir, 'env-exact');
    const targetConf = new Map([
      ['dfs.namenode.rpc-address', '10.1.2.3:8020'],
      ['dfs.ha.fencing.methods', 'shell(x)'],
      ['from.base', 'conf wins over the process environment'],
      ['target.host', 'target parameters win over configuration'],
      ['ha.zookeeper.quorum', 'zk1:2181,zk2:2181'],
    ]);
    const result = await shellFence(
      options(`env -0 > ${out}`, {
        targetConf,
        baseEnv: { PATH: '/usr/bin:/bin', BASE_ONLY: 'kept', from_base: 'base' },
      }),
    );
    expect(result.outcome).toBe('success');
    const env = readEnvFile(out);
    // bash itself adds PWD, SHLVL and _; everything else is ours.
    for (const added of ['PWD', 'SHLVL', '_', 'OLDPWD']) delete env[added];
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      BASE_ONLY: 'kept',
      from_base: 'conf wins over the process environment',
      'dfs_namenode_rpc-address': '10.1.2.3:8020',
      dfs_ha_fencing_methods: 'shell(x)',
      ha_zookeeper_quorum: 'zk1:2181,zk2:2181',
      target_host: '10.1.2.3',
      target_port: '8020',
      target_address: '10.1.2.3/10.1.2.3:8020',
      target_nameserviceid: 'ns1',
      target_namenodeid: 'nn2',
      // Marks every process the command starts (src/fencing/containment.ts).
      ZKFC_FENCE_TOKEN: expect.stringMatching(/^\d+-\d+-[0-9a-f]{16}$/),
    });
  });

  it('formats target_address like Java: host/ip:port, or host/<unresolved>:port', async () => {
    const out = join(dir, 'address');
    const run = async (host: string) => {
      const result = await shellFence(
        options(`printf %s "$target_address" > ${out}`, {
          target: { ...target, serviceAddress: { host, port: 9000 } },
          resolveTimeoutMs: 3000,
        }),
      );
      expect(result.outcome).toBe('success');
      return readFileSync(out, 'utf8');
    };
    expect(await run('localhost')).toMatch(/^localhost\/(127\.0\.0\.1|\[0:0:0:0:0:0:0:1\]):9000$/);
    expect(await run('no-such-host.invalid')).toBe('no-such-host.invalid/<unresolved>:9000');
    expect(await run('::1')).toBe('::1/[0:0:0:0:0:0:0:1]:9000');
  });

  it('passes hostile host names and conf values only as inert environment values', async () => {
    const marker = join(dir, 'pwned');
    const out = join(dir, 'hostile');
    const hostile = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `nn1; touch ${marker}`,
      `nn1 && touch ${marker} #`,
      `'"\\$HOME`,
    ];
    for (const host of hostile) {
      const result = await shellFence(
        options(`printf '%s|%s' "$target_host" $target_address > ${out}`, {
          target: { ...target, serviceAddress: { host, port: 8020 } },
          targetConf: new Map([['evil.value', `$(touch ${marker})`]]),
          resolveTimeoutMs: 500,
        }),
      );
      expect(result.outcome).toBe('success');
      // Quoted: the exact bytes. Unquoted: word splitting at most, never evaluation.
      expect(readFileSync(out, 'utf8').startsWith(`${host}|`)).toBe(true);
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe('shell fencing result and logging', () => {
  it.each<[string, string, string]>([
    ['exit 0 is fenced', 'true', 'success'],
    ['a non-zero exit is not fenced', 'exit 3', 'failure'],
    ['bash -e: a failing command stops the script', 'false; true', 'failure'],
    ['a command killed by a signal is not fenced', 'kill -9 $$', 'failure'],
  ])('%s', async (_name, command, outcome) => {
    const result = await shellFence(options(command));
    expect(result.outcome).toBe(outcome);
  });

  it('describes the exit in the detail', async () => {
    expect((await shellFence(options('exit 3'))).detail).toBe("fencing command 'exit 3' exited 3");
    expect((await shellFence(options('kill -9 $$'))).detail).toContain('was killed by SIGKILL');
  });

  it('closes stdin (a command reading stdin sees EOF at once)', async () => {
    const started = performance.now();
    const result = await shellFence(options('cat; read -r line || exit 0; exit 5', { timeoutMs: 5000 }));
    expect(result.outcome).toBe('success');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('logs launch and each output line with [PID n] and the abbreviated command', async () => {
    const captured = captureLogger();
    const command = 'echo first line; echo second >&2; echo third';
    await shellFence(options(command, { logger: captured.logger }));
    const records = captured.records();
    const launch = records.find((r) => r['msg'] === 'launched fencing command');
    expect(launch).toMatchObject({ command });
    const pid = launch?.['pid'];
    expect(typeof pid).toBe('number');
    const output = records.filter((r) => r['msg'] === 'fencing command output');
    expect(output.map((r) => [r['stream'], r['line'], r['level']])).toEqual(
      expect.arrayContaining([
        ['stdout', 'first line', 30],
        ['stderr', 'second', 40],
        ['stdout', 'third', 30],
      ]),
    );
    expect(output[0]).toMatchObject({ prefix: `[PID ${pid}] echo fir...cho third`, command: 'echo fir...cho third' });
  });

  it("keeps the output's last 10 lines, each bounded, for the failover journal", async () => {
    const quiet = await shellFence(options('exit 0'));
    expect(quiet.outputTail).toBeUndefined();
    const result = await shellFence(
      options(`for i in $(seq 1 15); do echo "line $i"; done; head -c 500 /dev/zero | tr '\\0' x >&2`),
    );
    expect(result.outputTail?.slice(0, 9)).toEqual(Array.from({ length: 9 }, (_, i) => `stdout: line ${i + 7}`));
    expect(result.outputTail).toHaveLength(10);
    expect(result.outputTail?.[9]).toMatch(/^stderr: x{200}…\[300 more chars\]$/);
  });

  it('abbreviates like ShellCommandFencer.abbreviate', () => {
    expect(abbreviate('short')).toBe('short');
    expect(abbreviate('12345678901234567890')).toBe('12345678901234567890');
    expect(abbreviate('123456789012345678901')).toBe('12345678...345678901');
    expect(abbreviate('abcdef', 5)).toBe('a...f');
    expect(abbreviate('abcdef', 4)).toBe('abcdef');
  });

  it('reports an error when bash cannot be started', async () => {
    const result = await shellFence(options('true', { baseEnv: { PATH: join(dir, 'no-bin-here') } }));
    expect(result.outcome).toBe('error');
    expect(result.detail).toContain('ENOENT');
  });
});

describe('shell fencing deadline', () => {
  it('kills the script and its children at the deadline', async () => {
    const childPidFile = join(dir, 'child.pid');
    const started = performance.now();
    const result = await shellFence(options(`sleep 300 & echo $! > ${childPidFile}; sleep 300`, { timeoutMs: 800 }));
    const elapsedMs = performance.now() - started;
    expect(result).toEqual({ outcome: 'timeout', detail: expect.stringContaining('did not finish within 800 ms') });
    expect(elapsedMs).toBeGreaterThanOrEqual(750);
    expect(elapsedMs).toBeLessThan(4000);
    const grandchild = readPid(childPidFile);
    await waitUntil(() => !processAlive(grandchild), 3000, `grandchild ${grandchild} gone`);
  });

  it('SIGKILLs children that ignore SIGTERM after the grace period', async () => {
    const childPidFile = join(dir, 'stubborn.pid');
    const result = await shellFence(
      options(`(trap '' TERM; echo $BASHPID > ${childPidFile}; exec sleep 300) & sleep 300`, {
        timeoutMs: 800,
        killGraceMs: 300,
      }),
    );
    expect(result.outcome).toBe('timeout');
    const grandchild = readPid(childPidFile);
    await waitUntil(() => !processAlive(grandchild), 3000, `grandchild ${grandchild} gone`);
  });

  it('does not wait for background children that keep the output open after a successful exit', async () => {
    const childPidFile = join(dir, 'leftover.pid');
    const started = performance.now();
    const result = await shellFence(options(`sleep 300 & echo $! > ${childPidFile}; exit 0`, { timeoutMs: 10_000 }));
    expect(result.outcome).toBe('success');
    expect(performance.now() - started).toBeLessThan(4000);
    const leftover = readPid(childPidFile);
    await waitUntil(() => !processAlive(leftover), 3000, `leftover ${leftover} gone`);
  });
});

/** Whether the process is gone or only a zombie nobody reaped yet (pid 1 of a container may not). */
function gone(pid: number): boolean {
  return !processAlive(pid);
}

describe.each(['auto', 'process-tree'] as const)('shell fencing: escaped processes (containment %s)', (containment) => {
  const run = (command: string, overrides: Partial<ShellFenceOptions> = {}) => {
    const captured = captureLogger();
    return { captured, result: shellFence(options(command, { containment, logger: captured.logger, ...overrides })) };
  };
  const launchedIn = (captured: ReturnType<typeof captureLogger>): unknown =>
    captured.records().find((r) => r['msg'] === 'launched fencing command')?.['containment'];

  it('runs in a cgroup when it can (as root with a writable cgroup2 hierarchy), else on the process tree', async () => {
    const { captured, result } = run('true');
    expect((await result).outcome).toBe('success');
    // This machine runs the tests as root with cgroup2 mounted: 'auto' must pick the cgroup.
    const expected = containment === 'auto' ? 'cgroup' : 'process-tree';
    if (containment === 'auto' && (process.getuid?.() !== 0 || ownCgroupDirectory() === undefined)) {
      throw new Error(
        'this test needs root and a cgroup2 mount (/sys/fs/cgroup ' +
          'or /sys/fs/cgroup/unified) to check the cgroup containment',
      );
    }
    expect(launchedIn(captured)).toBe(expected);
  });

  it('kills a grandchild that left the process group with setsid, at the deadline', async () => {
    const pidFile = join(dir, `setsid-${containment}.pid`);
    const { result } = run(`setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' & sleep 300`, {
      timeoutMs: 800,
      killGraceMs: 300,
    });
    expect((await result).outcome).toBe('timeout');
    const escapee = readPid(pidFile);
    await waitUntil(() => gone(escapee), 3000, 'gone(escapee)');
  });

  it(
    'kills a daemonised grandchild (setsid -f: double ' + 'fork, reparented away from the script), at the deadline',
    async () => {
      const pidFile = join(dir, `setsid-f-${containment}.pid`);
      const { result } = run(`setsid -f sh -c 'echo $$ > ${pidFile}; exec sleep 300' >/dev/null 2>&1; sleep 300`, {
        timeoutMs: 800,
        killGraceMs: 300,
      });
      expect((await result).outcome).toBe('timeout');
      const escapee = readPid(pidFile);
      await waitUntil(() => gone(escapee), 3000, 'gone(escapee)');
    },
  );

  it('kills a daemonised grandchild left behind by a command that succeeded, and says so', async () => {
    const pidFile = join(dir, `leftover-${containment}.pid`);
    const { captured, result } = run(
      `setsid -f sh -c 'echo $$ > ${pidFile}; exec sleep 300' ` +
        `>/dev/null 2>&1; while [ ! -s ${pidFile} ]; do sleep 0.05; done`,
    );
    expect((await result).outcome).toBe('success');
    const escapee = readPid(pidFile);
    await waitUntil(() => gone(escapee), 3000, 'gone(escapee)');
    expect(captured.records().some((r) => r['msg'] === 'fencing command left processes running; killed them')).toBe(
      true,
    );
  });

  it('kills a setsid grandchild that cleared its environment while its parent still runs', async () => {
    const pidFile = join(dir, `env-i-${containment}.pid`);
    const { result } = run(`setsid env -i sleep 300 & echo $! > ${pidFile}; sleep 300`, {
      timeoutMs: 800,
      killGraceMs: 300,
    });
    expect((await result).outcome).toBe('timeout');
    const escapee = readPid(pidFile);
    await waitUntil(() => gone(escapee), 3000, 'gone(escapee)');
  });
});

describe('shell fencing: cgroup housekeeping', () => {
  it('removes the empty cgroups that commands of a daemon now gone left behind, and only those', async () => {
    const parent = ownCgroupDirectory();
    if (parent === undefined || process.getuid?.() !== 0)
      throw new Error('this test needs root and a cgroup2 mount (/sys/fs/cgroup or /sys/fs/cgroup/unified)');
    const gone = spawnSync('true').pid;
    const stale = join(parent, `zkfc-fence-${gone}-7`);
    // A live daemon's (pid 1 stands in for one) is not ours to touch.
    const alive = join(parent, 'zkfc-fence-1-7');
    mkdirSync(stale);
    mkdirSync(alive);
    try {
      const result = await shellFence(options('true'));
      expect(result.outcome).toBe('success');
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(alive)).toBe(true);
    } finally {
      if (existsSync(alive)) rmdirSync(alive);
    }
  });
});

describe('shell fencing output: known secrets redacted before logging', () => {
  it(
    'hides ha.zookeeper.auth (and its parts), keystore passwords ' +
      'and sensitive environment variables from logged output',
    async () => {
      const captured = captureLogger();
      const targetConf = new Map([
        ['ha.zookeeper.auth', 'digest:hdfs:zk-s3cr3t-pw'],
        ['ssl.server.keystore.password', 'ks-pass-123'],
        ['ssl.server.keystore.keypassword', 'key-pass-456'],
        ['my.site.token', 'tok-789'],
        ['hadoop.security.sensitive-config-keys', 'site.token$'],
        ['ha.zookeeper.quorum', 'zk1:2181'],
      ]);
      const result = await shellFence(
        options('env; echo "pw only: zk-s3cr3t-pw" >&2', {
          targetConf,
          logger: captured.logger,
          baseEnv: {
            PATH: '/usr/bin:/bin',
            ZKFC_HA_ZOOKEEPER_AUTH: 'digest:env:env-secret-0',
            DB_PASSWORD: 'db-pass-1',
          },
        }),
      );
      expect(result.outcome).toBe('success');
      const logged = captured
        .records()
        .filter((r) => r['msg'] === 'fencing command output')
        .map((r) => String(r['line']));
      const text = logged.join('\n');
      for (const secret of [
        'zk-s3cr3t-pw',
        'hdfs:zk-s3cr3t-pw',
        'ks-pass-123',
        'key-pass-456',
        'tok-789',
        'env-secret-0',
        'db-pass-1',
      ]) {
        expect(text).not.toContain(secret);
      }
      expect(logged).toContain('ha_zookeeper_auth=[redacted]');
      expect(logged).toContain('ssl_server_keystore_password=[redacted]');
      expect(logged).toContain('pw only: [redacted]');
      // The output tail kept for the failover journal is redacted the same way.
      expect(result.outputTail?.join('\n')).not.toContain('zk-s3cr3t-pw');
      expect(result.outputTail).toContain('stderr: pw only: [redacted]');
      // What is not secret is still shown.
      expect(logged).toContain('ha_zookeeper_quorum=zk1:2181');
    },
  );
});
