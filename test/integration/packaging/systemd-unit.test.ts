// Goal: systemd/zkfc@.service is a unit systemd accepts without a single warning, hardened
// (systemd's own exposure score), restarting on crashes but not on the configuration errors of
// src/errors.ts ExitCode, with readiness by notification, and an ExecStart that really turns the
// instance name <nameservice>.<namenode> into Hadoop's -D options while keeping the daemon as the
// main process.
// Method: Debian's systemd-analyze (`verify`, `security --offline`) works on unit files without a
// running systemd (none runs here). The ExecStart line is expanded as systemd would (specifiers,
// $$) and run with a stub in place of /opt/zkfc/bin/zkfc that prints its PID and arguments.
import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/errors.js';
import { directive, expandLikeSystemd, parseUnit, splitWords } from '../../support/systemd-unit.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const UNIT = join(ROOT, 'systemd/zkfc@.service');
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const DAEMON_PATH = '/opt/zkfc/bin/zkfc';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, [...args], { timeout: 30_000, cwd: options.cwd }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`${command} did not run: ${error.message} (apt-get install -y systemd)`));
        return;
      }
      resolvePromise({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkfc-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('systemd/zkfc@.service', () => {
  it('passes systemd-analyze verify without any message, as a template and as an instance', async () => {
    await copyFile(UNIT, join(dir, 'zkfc@.service'));
    await copyFile(UNIT, join(dir, 'zkfc@ns1.nn1.service'));
    for (const name of ['zkfc@.service', 'zkfc@ns1.nn1.service']) {
      const result = await run(SYSTEMD_ANALYZE, ['verify', '--man=no', join(dir, name)], { cwd: dir });
      expect({ name, ...result }).toEqual({ name, code: 0, stdout: '', stderr: '' });
    }
  });

  it('verify really checks (a broken copy is reported), so the check above can fail', async () => {
    const text = (await readFile(UNIT, 'utf8')).replace(
      'ProtectSystem=strict',
      'ProtectSystem=strictest\nNoSuchOption=1',
    );
    await writeFile(join(dir, 'zkfc@ns1.nn1.service'), text);
    const result = await run(SYSTEMD_ANALYZE, ['verify', '--man=no', join(dir, 'zkfc@ns1.nn1.service')], { cwd: dir });
    expect(result.stderr).toContain('NoSuchOption');
    expect(result.stderr).toMatch(/protect system value/i);
  });

  it('scores as well hardened by systemd-analyze security (exposure at most 3.0 of 10)', async () => {
    await copyFile(UNIT, join(dir, 'zkfc@ns1.nn1.service'));
    const result = await run(
      SYSTEMD_ANALYZE,
      ['security', '--offline=true', '--no-pager', '--threshold=30', join(dir, 'zkfc@ns1.nn1.service')],
      { cwd: dir },
    );
    const score = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(result.stdout);
    expect(score, result.stdout + result.stderr).not.toBeNull();
    expect(Number(score![1])).toBeLessThanOrEqual(3);
    expect(result.code).toBe(0);
    // The README quotes the score; it must be the one systemd gives today.
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`"Overall exposure level for zkfc@ns1.nn1.service: ${score![1]} OK"`);
  });

  it("caps memory (MemoryMax) above the daemon's stated bound, with room for fencing commands", async () => {
    const unit = parseUnit(await readFile(UNIT, 'utf8'));
    const [memoryMax] = directive(unit, 'Service', 'MemoryMax');
    const match = /^(\d+)([KMG])$/.exec(memoryMax ?? '');
    expect(match, `MemoryMax=${memoryMax ?? '(missing)'}`).not.toBeNull();
    const mib = Number(match![1]) * { K: 1 / 1024, M: 1, G: 1024 }[match![2] as 'K' | 'M' | 'G'];
    // The README states the daemon's bound, which the abuse tests assert; the cap leaves at
    // least as much again for fencing commands in the same cgroup.
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const stated = /the daemon stays below (\d+) MiB\s+resident whatever its clients send/.exec(readme);
    expect(stated).not.toBeNull();
    expect(mib).toBeGreaterThanOrEqual(2 * Number(stated![1]));
    expect(readme).toContain(`\`MemoryMax=${memoryMax!}\``);
  });

  it(
    'declares readiness by notification, the hdfs user, ' + "Hadoop's config dir and the optional environment files",
    async () => {
      const unit = parseUnit(await readFile(UNIT, 'utf8'));
      expect(directive(unit, 'Service', 'Type')).toEqual(['notify']);
      expect(directive(unit, 'Service', 'NotifyAccess')).toEqual(['all']);
      expect(directive(unit, 'Service', 'User')).toEqual(['hdfs']);
      expect(directive(unit, 'Service', 'Environment')).toContain('HADOOP_CONF_DIR=/etc/hadoop/conf');
      expect(directive(unit, 'Service', 'EnvironmentFile')).toContain('-/etc/default/zkfc');
      expect(directive(unit, 'Install', 'WantedBy')).toEqual(['multi-user.target']);
      // The failover journal's local file goes to $STATE_DIRECTORY (src/daemon/failover-journal.ts).
      expect(directive(unit, 'Service', 'StateDirectory')).toEqual(['zkfc']);
    },
  );

  it('restarts on failure except on the configuration-error exit codes of src/errors.ts (2-5 and 78)', async () => {
    const unit = parseUnit(await readFile(UNIT, 'utf8'));
    expect(directive(unit, 'Service', 'Restart')).toEqual(['on-failure']);
    const prevented = directive(unit, 'Service', 'RestartPreventExitStatus')
      .join(' ')
      .split(/\s+/)
      .map(Number)
      .sort((a, b) => a - b);
    expect(prevented).toEqual(
      [
        ExitCode.FORMAT_DENIED,
        ExitCode.NO_PARENT_ZNODE,
        ExitCode.NO_FENCER,
        ExitCode.AUTO_FAILOVER_NOT_ENABLED,
        ExitCode.CONFIG,
      ].sort((a, b) => a - b),
    );
    // Transient failures must restart: a crash (1) and "cannot reach ZooKeeper" (6).
    expect(prevented).not.toContain(ExitCode.FATAL);
    expect(prevented).not.toContain(ExitCode.NO_ZK);
  });

  it('never stops restarting (no start limit) and has the watchdog the daemon pings', async () => {
    const unit = parseUnit(await readFile(UNIT, 'utf8'));
    // A start limit turned a ZooKeeper outage into a dead controller (5 exits in 10 minutes).
    expect(directive(unit, 'Unit', 'StartLimitIntervalSec')).toEqual(['0']);
    expect(directive(unit, 'Unit', 'StartLimitBurst')).toEqual([]);
    // sd-notify.ts pings at half of WATCHDOG_USEC from the event loop.
    expect(directive(unit, 'Service', 'WatchdogSec')).toEqual(['30s']);
  });

  it(
    'stops only the daemon by SIGTERM (KillMode=mixed) ' + 'and keeps the hardening that ssh fencing tolerates',
    async () => {
      const unit = parseUnit(await readFile(UNIT, 'utf8'));
      const service = (key: string) => directive(unit, 'Service', key);
      expect(service('KillMode')).toEqual(['mixed']);
      expect(service('KillSignal')).toEqual(['SIGTERM']);
      for (const [key, value] of [
        ['NoNewPrivileges', 'yes'],
        ['ProtectSystem', 'strict'],
        ['ProtectHome', 'read-only'], // the ssh key under ~hdfs/.ssh stays readable
        ['PrivateTmp', 'yes'],
        ['ProtectKernelTunables', 'yes'],
        ['ProtectKernelModules', 'yes'],
        ['ProtectKernelLogs', 'yes'],
        ['ProtectControlGroups', 'yes'],
      ] as const) {
        expect(service(key), key).toEqual([value]);
      }
      const families = service('RestrictAddressFamilies').join(' ').split(/\s+/);
      expect(families).toEqual(expect.arrayContaining(['AF_INET', 'AF_INET6', 'AF_UNIX']));
      // V8's JIT needs writable+executable memory.
      expect(service('MemoryDenyWriteExecute')).toEqual([]);
    },
  );

  it.each([
    ['ns1.nn1', 'ns1', 'nn1'],
    ['prod-ns.namenode_2', 'prod-ns', 'namenode_2'],
  ])(
    'runs ExecStart for instance %s as zkfc -D dfs.nameservice.id=%s -D dfs.ha.namenode.id=%s, exec-ing into it',
    async (instance, nameservice, namenode) => {
      const unit = parseUnit(await readFile(UNIT, 'utf8'));
      const [execStart] = directive(unit, 'Service', 'ExecStart');
      expect(execStart).toContain(DAEMON_PATH);
      const stub = join(dir, 'zkfc-stub');
      await writeFile(stub, '#!/bin/sh\nprintf "%s\\n" "$$" "$@"\n');
      await chmod(stub, 0o755);
      const argv = splitWords(expandLikeSystemd(execStart!, instance).replaceAll(DAEMON_PATH, stub));
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((done) => child.on('exit', (exitCode) => done(exitCode)));
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const [pid, ...args] = stdout.trimEnd().split('\n');
      // `exec`: the daemon has the PID systemd started (the main PID that systemd-notify reports for).
      expect(Number(pid)).toBe(child.pid);
      expect(args).toEqual(['-D', `dfs.nameservice.id=${nameservice}`, '-D', `dfs.ha.namenode.id=${namenode}`]);
    },
  );
});
