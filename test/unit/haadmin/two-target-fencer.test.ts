// Goal: the two-target fencer of manual failover behaves as Hadoop 3.3's NodeFencer +
// ShellCommandFencer: which command part runs for which node, which environment prefix it gets
// (target_ for the node becoming active, source_ for the old active, never both), that the
// owner's configuration is exported with '.' → '_', the method names in the log, that an
// erroring method is skipped, and our deliberate difference: sshfence never runs against the node
// becoming active. Also the shell runner: exit codes, output lines, the deadline killing the
// whole process group.
// Method: real bash commands via runShellCommand writing to temp files; sshfence against a closed
// local port (connect refused, no server needed); pure helpers checked directly.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseFenceMethods,
  type FenceMethodSpec,
  type ShellFenceMethodSpec,
} from '../../../src/core/fencing/fence-spec.js';
import { cliClock } from '../../../src/cli/haadmin/cli-clock.js';
import { consolePinoLogger } from '../../../src/cli/haadmin/console-log.js';
import { runShellCommand } from '../../../src/cli/haadmin/shell-command.js';
import {
  javaMethodName,
  shellCommandFor,
  shellFenceEnvironment,
  TwoTargetFencer,
  type FencingSubject,
} from '../../../src/cli/haadmin/two-target-fencer.js';
import { sleep } from '../../../tools/testing/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'haadmin-fencer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function methods(value: string): readonly FenceMethodSpec[] {
  const parsed = parseFenceMethods(value);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.methods;
}

const toNode: FencingSubject = {
  nameserviceId: 'ns1',
  namenodeId: 'nn2',
  address: { host: '127.0.0.1', port: 8022 },
  description: 'NameNode at /127.0.0.1:8022',
  transitionTargetState: 'ACTIVE',
};
const fromNode: FencingSubject = {
  nameserviceId: 'ns1',
  namenodeId: 'nn1',
  address: { host: '127.0.0.1', port: 1 },
  description: 'NameNode at /127.0.0.1:1',
  transitionTargetState: 'STANDBY',
};

let n = 0;
function fencer(value: string) {
  const lines: string[] = [];
  const out = join(dir, `out-${++n}`);
  const instance = new TwoTargetFencer({
    methods: methods(value),
    conf: [
      ['dfs.ha.namenode.id', 'nn1'],
      ['my.custom.key', 'custom value'],
    ],
    baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', OUT: out, target_host: 'from-the-environment' },
    shellTimeoutMs: 5_000,
    ssh: { privateKeyFiles: [], connectTimeoutMs: 1_000, commandTimeoutMs: 1_000, defaultUser: 'nobody' },
    log: { log: (category, level, message) => lines.push(`${level} ${category}: ${message}`) },
    sshLogger: consolePinoLogger('ha.SshFenceByTcpPort', (line) => lines.push(line)),
    clock: cliClock,
    runShell: runShellCommand,
  });
  return { instance, lines, read: () => (existsSync(out) ? readFileSync(out, 'utf8') : '') };
}

describe('TwoTargetFencer', () => {
  it('one command runs for both nodes: target_* for the new active, then source_* for the old one', async () => {
    const command =
      'echo "t=${target_namenodeid:-} s=${source_namenodeid:-} th=${target_host:-} ' +
      'sa=${source_address:-} k=$my_custom_key id=$dfs_ha_namenode_id" >> "$OUT"';
    const f = fencer(`shell(${command})`);
    expect(await f.instance.fence(fromNode, toNode)).toBe(true);
    // The base environment's target_host survives only where Hadoop leaves it (the source step).
    expect(f.read()).toBe(
      't=nn2 s= th=127.0.0.1 sa= k=custom value id=nn1\n' +
        't= s=nn1 th=from-the-environment sa=127.0.0.1/127.0.0.1:1 k=custom value id=nn1\n',
    );
    expect(f.lines[0]).toMatch(/ ha\.NodeFencer: ====== Beginning Service Fencing Process\.\.\. ======$/);
    expect(f.lines[1]).toBe(
      `INFO ha.NodeFencer: Trying method 1/1: org.apache.hadoop.ha.ShellCommandFencer(${command})`,
    );
    expect(f.lines.filter((l) => l.includes('Launched fencing command'))).toHaveLength(2);
  });

  it(
    'shell(a,b): a for the node becoming active, b for the ' +
      'old active; output lines are logged with the PID prefix',
    async () => {
      const f = fencer(
        'shell(echo A-$target_namenodeid >> "$OUT",echo B-$source_namenodeid >> "$OUT"; echo done; echo oops >&2)',
      );
      expect(await f.instance.fence(fromNode, toNode)).toBe(true);
      expect(f.read()).toBe('A-nn2\nB-nn1\n');
      expect(
        f.lines.some((l) => /^INFO ha\.ShellCommandFencer: \[PID \d+\] echo B-\$\.\.\. oops >&2: done$/.test(l)),
      ).toBe(true);
      expect(
        f.lines.some((l) => /^WARN ha\.ShellCommandFencer: \[PID \d+\] echo B-\$\.\.\. oops >&2: oops$/.test(l)),
      ).toBe(true);
    },
  );

  it(
    'without a node to activate (single-target form) only the ' +
      'old active is fenced, as target_* (state STANDBY → source_)',
    async () => {
      const f = fencer('shell(echo "${source_namenodeid:-none}" >> "$OUT")');
      expect(await f.instance.fence(fromNode, undefined)).toBe(true);
      expect(f.read()).toBe('nn1\n');
    },
  );

  it('methods are tried in order until one fences the old active; failures are logged as unsuccessful', async () => {
    const f = fencer('shell(echo one >> "$OUT"; exit 1)\nshell(echo two >> "$OUT")\nshell(echo three >> "$OUT")');
    expect(await f.instance.fence(fromNode, undefined)).toBe(true);
    expect(f.read()).toBe('one\ntwo\n');
    expect(f.lines).toContain(
      'WARN ha.NodeFencer: Fencing method org.apache.hadoop.ha.ShellCommandFencer(echo ' +
        'one >> "$OUT"; exit 1) was unsuccessful.',
    );
    expect(f.lines).toContain(
      'INFO ha.NodeFencer: ====== Fencing successful by method ' +
        'org.apache.hadoop.ha.ShellCommandFencer(echo two >> "$OUT") ======',
    );
  });

  it('all methods fail: false and "Unable to fence service by any configured method."', async () => {
    const f = fencer('shell(exit 2)\nshell(false)');
    expect(await f.instance.fence(fromNode, toNode)).toBe(false);
    expect(f.lines.at(-1)).toBe('ERROR ha.NodeFencer: Unable to fence service by any configured method.');
    expect(f.lines.filter((l) => l.includes('Fencing on target failed, skipping fencing on source'))).toHaveLength(2);
  });

  it(
    'sshfence is not run against the node becoming active; against ' +
      'the old active it really connects (refused here → next method)',
    async () => {
      const f = fencer('sshfence(nobody:1)\nshell(echo fallback-$source_namenodeid >> "$OUT")');
      expect(await f.instance.fence(fromNode, toNode)).toBe(true);
      expect(f.lines).toContain(
        'WARN ha.SshFenceByTcpPort: Not running sshfence against NameNode at ' +
          '/127.0.0.1:8022, the node to become active; only the old active is fenced by sshfence',
      );
      expect(
        f.lines.some((l) =>
          /WARN ha\.SshFenceByTcpPort: sshfence did not fence NameNode at \/127\.0\.0\.1:1: /.test(l),
        ),
      ).toBe(true);
      expect(f.lines).toContain(
        'INFO ha.NodeFencer: Trying method 1/2: org.apache.hadoop.ha.SshFenceByTcpPort(nobody:1)',
      );
      // shell() with one command runs for both nodes: the ACTIVE-bound step has no source_* variables
      expect(f.read()).toBe('fallback-\nfallback-nn1\n');
    },
  );

  it('a shell argument with no command part errors: logged as an unexpected error, next method', async () => {
    const f = fencer('shell(,)\nshell(echo ok >> "$OUT")');
    expect(await f.instance.fence(fromNode, undefined)).toBe(true);
    expect(
      f.lines.some((l) =>
        l.startsWith(
          'ERROR ha.NodeFencer: Fencing method ' +
            'org.apache.hadoop.ha.ShellCommandFencer(,) failed with an unexpected error.',
        ),
      ),
    ).toBe(true);
    expect(f.lines.some((l) => l.includes('ShellCommandFencer(,) was unsuccessful'))).toBe(false);
  });
});

describe('pure helpers', () => {
  const shell = (value: string): ShellFenceMethodSpec => methods(value)[0] as ShellFenceMethodSpec;

  it('shellCommandFor picks by transition state (Parity: ShellCommandFencer.parseArgs)', () => {
    expect(shellCommandFor(shell('shell(one)'), 'ACTIVE')).toBe('one');
    expect(shellCommandFor(shell('shell(one)'), 'STANDBY')).toBe('one');
    expect(shellCommandFor(shell('shell(a,b)'), 'ACTIVE')).toBe('a');
    expect(shellCommandFor(shell('shell(a,b)'), 'STANDBY')).toBe('b');
    expect(() => shellCommandFor(shell('shell(a,b)'), undefined)).toThrow('Unexpected HA service state:null');
  });

  it('javaMethodName is FenceMethodWithArg.toString()', () => {
    expect(javaMethodName(methods('sshfence')[0]!)).toBe('org.apache.hadoop.ha.SshFenceByTcpPort(null)');
    expect(javaMethodName(methods('sshfence(hdfs:2222)')[0]!)).toBe(
      'org.apache.hadoop.ha.SshFenceByTcpPort(hdfs:2222)',
    );
    expect(javaMethodName(methods('shell(/bin/true)')[0]!)).toBe('org.apache.hadoop.ha.ShellCommandFencer(/bin/true)');
  });

  it(
    'shellFenceEnvironment: base, then configuration (. → _), ' +
      'then the prefixed parameters; unrepresentable entries dropped',
    () => {
      const env = shellFenceEnvironment(
        { A: '1', dfs_x: 'base' },
        [
          ['dfs.x', 'conf'],
          ['bad=key', 'v'],
          ['nul', 'a\0b'],
        ],
        fromNode,
        '127.0.0.1',
      );
      expect(env).toEqual({
        A: '1',
        dfs_x: 'conf',
        source_address: '127.0.0.1/127.0.0.1:1',
        source_host: '127.0.0.1',
        source_port: '1',
        source_nameserviceid: 'ns1',
        source_namenodeid: 'nn1',
      });
      const active = shellFenceEnvironment(
        {},
        [],
        { ...toNode, address: { host: 'nn2.example', port: 8020 } },
        '10.0.0.2',
      );
      expect(active).toMatchObject({
        target_address: 'nn2.example/10.0.0.2:8020',
        target_host: 'nn2.example',
        target_namenodeid: 'nn2',
      });
      expect(Object.keys(active).some((k) => k.startsWith('source_'))).toBe(false);
    },
  );
});

describe('runShellCommand', () => {
  it('exit 0 is success; other exits and signals are failure; lines come back per stream', async () => {
    const lines: string[] = [];
    const onLine = (stream: string, line: string): void => void lines.push(`${stream}:${line}`);
    expect(
      await runShellCommand({
        command: 'echo a; echo b >&2',
        env: { PATH: process.env['PATH'] ?? '' },
        timeoutMs: 5_000,
        killGraceMs: 100,
        onLine,
      }),
    ).toMatchObject({ outcome: 'success' });
    expect(lines.sort()).toEqual(['stderr:b', 'stdout:a']);
    expect(await runShellCommand({ command: 'exit 7', env: {}, timeoutMs: 5_000, killGraceMs: 100, onLine })).toEqual({
      outcome: 'failure',
      detail: "fencing command 'exit 7' exited 7",
    });
    expect(
      (await runShellCommand({ command: 'kill -9 $$', env: {}, timeoutMs: 5_000, killGraceMs: 100, onLine })).detail,
    ).toBe("fencing command 'kill -9 $$' was killed by SIGKILL");
    // bash -e: the first failing command ends the script
    expect(
      (await runShellCommand({ command: 'false; echo never', env: {}, timeoutMs: 5_000, killGraceMs: 100, onLine }))
        .outcome,
    ).toBe('failure');
  });

  it('the deadline kills the whole process group, background children included', async () => {
    const marker = join(dir, 'child-survived');
    const started = Date.now();
    const result = await runShellCommand({
      command: `(sleep 1; touch ${marker}) & sleep 30`,
      env: { PATH: process.env['PATH'] ?? '' },
      timeoutMs: 300,
      killGraceMs: 200,
      onLine: () => undefined,
    });
    expect(result.outcome).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    // the background child would have touched the marker by now had it survived
    await sleep(1_500);
    expect(existsSync(marker)).toBe(false);
  });

  it('a background child holding the pipes after bash exits is killed, not waited for', async () => {
    const started = Date.now();
    const result = await runShellCommand({
      command: 'sleep 30 & exit 0',
      env: { PATH: process.env['PATH'] ?? '' },
      timeoutMs: 10_000,
      killGraceMs: 100,
      onLine: () => undefined,
    });
    expect(result.outcome).toBe('success');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
