// Goal: the built `haadmin -failover` does what `hdfs haadmin -failover` does, end to end:
// - automatic failover off: the graceful path (old active stands down, no fencing); the fencing
//   path when the old active refuses to stand down, with a shell(...) fencer script that kills the
//   old active's process (it sees source_* for the old active, target_* for the new one, and the
//   configuration as dfs_* variables); the fail-back when the target refuses to become active
//   (the refusing target is fenced, the old active is active again); a pre-check refusal;
// - automatic failover on: gracefulFailover() on the target's ZKFC, success and failure texts.
// Hadoop's stdout/stderr texts and exit codes 0 / 255 are checked.
// Method: `zkfc-sim namenode` processes on free ports, generated conf dirs, `node bin/haadmin.js`
// as a child process; for automatic failover a real ZKFCProtocol server (ZkfcRpcServer) in this
// process stands in for the target's zkfc daemon and moves the simulators like a ZKFC would.
// Every process is stopped in afterEach/afterAll, also when a test fails.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZkfcRpcServer } from '../../src/hadoop/zkfc-rpc-server.js';
import { silentLogger } from '../../src/observability/logger.js';
import { NamenodeSimProcess, ensureBuilt, stopAllSimProcesses } from '../support/namenode-sim-process.js';
import { runHaAdminProcess, writeConfDir, type CliResult } from '../support/haadmin-process.js';

const dir = mkdtempSync(join(tmpdir(), 'haadmin-failover-e2e-'));
const fenceScript = join(dir, 'fence-old-active.sh');
let confCount = 0;

beforeAll(async () => {
  await ensureBuilt();
  // An operator's fencing script: record what it was told, and kill the old active (source_*).
  writeFileSync(
    fenceScript,
    [
      '#!/bin/bash',
      'echo "target=${target_namenodeid:-} source=${source_namenodeid:-} ' +
        'source_port=${source_port:-} ns=${dfs_nameservices:-}" >> "$FENCE_RECORD"',
      'if [ -n "${source_namenodeid:-}" ]; then',
      '  kill -9 "$(cat "$PID_DIR/$source_namenodeid")"',
      'fi',
      '',
    ].join('\n'),
  );
  chmodSync(fenceScript, 0o755);
});

afterEach(async () => {
  await stopAllSimProcesses();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Pair {
  readonly nn1: NamenodeSimProcess;
  readonly nn2: NamenodeSimProcess;
  readonly conf: string;
  readonly record: string;
  run(args: string[]): Promise<CliResult>;
}

/** Two NameNode processes (nn1 active) with manual failover and the fencing script configured. */
async function manualPair(extra: Record<string, string> = {}): Promise<Pair> {
  const [nn1, nn2] = await Promise.all([
    NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      superuser: 'hdfs',
      automaticFailover: false,
      initialState: 'active',
    }),
    NamenodeSimProcess.start({ nameserviceId: 'ns1', namenodeId: 'nn2', superuser: 'hdfs', automaticFailover: false }),
  ]);
  const pids = join(dir, `pids-${++confCount}`);
  mkdirSync(pids, { recursive: true });
  writeFileSync(join(pids, 'nn1'), String(nn1.pid));
  writeFileSync(join(pids, 'nn2'), String(nn2.pid));
  const record = join(dir, `fence-record-${confCount}.log`);
  const conf = writeConfDir(dir, `manual-${confCount}`, {
    'dfs.nameservices': 'ns1',
    'dfs.ha.namenodes.ns1': 'nn1,nn2',
    'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${nn1.rpcAddress.port}`,
    'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${nn2.rpcAddress.port}`,
    'dfs.ha.automatic-failover.enabled': 'false',
    'dfs.ha.fencing.methods': `shell(${fenceScript})`,
    ...extra,
  });
  return {
    nn1,
    nn2,
    conf,
    record,
    run: (args) => runHaAdminProcess(args, { conf, env: { PID_DIR: pids, FENCE_RECORD: record } }),
  };
}

const readRecord = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : []);

describe('haadmin -failover with automatic failover off', () => {
  it('graceful: the old active stands down, the target becomes active, nothing is fenced', async () => {
    const pair = await manualPair();
    expect(await pair.run(['-failover', 'nn1', 'nn2'])).toEqual({
      code: 0,
      stdout: 'Failover from nn1 to nn2 successful\n',
      stderr: '',
    });
    expect((await pair.nn1.state()).state).toBe('standby');
    expect((await pair.nn2.state()).state).toBe('active');
    expect(readRecord(pair.record)).toEqual([]);
  });

  it('the old active refuses to stand down: the fencing script kills it, then the target becomes active', async () => {
    const pair = await manualPair();
    await pair.nn1.fault('refuse-transitions');
    const result = await pair.run(['-failover', 'nn1', 'nn2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Failover from nn1 to nn2 successful\n');
    expect(result.stderr).toMatch(
      new RegExp(
        `WARN ha\\.FailoverController: Unable to gracefully make NameNode at ` +
          `/127\\.0\\.0\\.1:${pair.nn1.rpcAddress.port} standby \\(Simulated failure: transitionToStandby refused`,
      ),
    );
    expect(result.stderr).toContain(
      `INFO ha.NodeFencer: ====== Fencing successful by method ` +
        `org.apache.hadoop.ha.ShellCommandFencer(${fenceScript}) ======`,
    );
    expect(await pair.nn1.exited).toMatchObject({ signal: 'SIGKILL' });
    expect((await pair.nn2.state()).state).toBe('active');
    // Two-target form: the new active first (target_*), then the old active (source_* only).
    expect(readRecord(pair.record)).toEqual([
      'target=nn2 source= source_port= ns=ns1',
      `target= source=nn1 source_port=${pair.nn1.rpcAddress.port} ns=ns1`,
    ]);
  });

  it(
    'the target refuses to become active: the refusing ' + 'target is fenced, the old active is active again, 255',
    async () => {
      const pair = await manualPair();
      await pair.nn2.fault('refuse-transitions');
      const result = await pair.run(['-failover', 'nn1', 'nn2']);
      expect(result.code).toBe(255);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(
          `ERROR ha\\.FailoverController: Unable to make NameNode at ` +
            `/127\\.0\\.0\\.1:${pair.nn2.rpcAddress.port} active \\(Simulated failure`,
        ),
      );
      expect(
        result.stderr.endsWith(
          `Failover failed: Unable to failover to NameNode at /127.0.0.1:${pair.nn2.rpcAddress.port}\n`,
        ),
      ).toBe(true);
      expect((await pair.nn1.state()).state).toBe('active');
      expect(await pair.nn2.exited).toMatchObject({ signal: 'SIGKILL' });
      // In the fail-back nn1 is the node becoming active (target_*), nn2 the one fenced (source_*).
      expect(readRecord(pair.record)).toEqual([
        'target=nn1 source= source_port= ns=ns1',
        `target= source=nn2 source_port=${pair.nn2.rpcAddress.port} ns=ns1`,
      ]);
    },
  );

  it('pre-check refusals and a missing fencer leave everything as it was', async () => {
    const pair = await manualPair();
    expect(await pair.run(['-failover', 'nn2', 'nn1'])).toEqual({
      code: 255,
      stdout: '',
      stderr: "Failover failed: Can't failover to an active service\n",
    });
    const noFencer = writeConfDir(dir, 'no-fencer', {
      'dfs.nameservices': 'ns1',
      'dfs.ha.namenodes.ns1': 'nn1,nn2',
      'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${pair.nn1.rpcAddress.port}`,
      'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${pair.nn2.rpcAddress.port}`,
    });
    const refused = await runHaAdminProcess(['-failover', 'nn1', 'nn2'], { conf: noFencer });
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(
      new RegExp(
        String.raw`WARN ha\.NodeFencer: No usable fencer: dfs\.ha\.fencing\.methods is not set for` +
          String.raw` NameNode at \/127\.0\.0\.1:\d+\nIllegal argument: failover requires a fencer\n$`,
      ),
    );
    expect((await pair.nn1.state()).state).toBe('active');
    expect((await pair.nn2.state()).state).toBe('standby');
  });
});

describe('haadmin -failover with automatic failover on', () => {
  it(
    'asks the target\'s ZKFC for a graceful failover: "Failover to ' +
      'NameNode at ... successful"; a refusal is "Failover failed: ..."',
    async () => {
      const [nn1, nn2] = await Promise.all([
        NamenodeSimProcess.start({
          nameserviceId: 'ns1',
          namenodeId: 'nn1',
          superuser: 'hdfs',
          automaticFailover: true,
          initialState: 'active',
        }),
        NamenodeSimProcess.start({
          nameserviceId: 'ns1',
          namenodeId: 'nn2',
          superuser: 'hdfs',
          automaticFailover: true,
        }),
      ]);
      let refuse: string | undefined;
      // Stands in for nn2's zkfc daemon: on gracefulFailover it moves the NameNodes as the ZKFCs would.
      const zkfc = new ZkfcRpcServer({
        host: '127.0.0.1',
        port: 0,
        administrators: ' ',
        loginUser: 'hdfs',
        logger: silentLogger(),
        handler: {
          cedeActive: async () => undefined,
          gracefulFailover: async () => {
            if (refuse !== undefined) throw new Error(refuse);
            await nn1.forceState('standby', 'ceded to nn2');
            await nn2.forceState('active', 'graceful failover');
          },
        },
      });
      const { port } = await zkfc.listen();
      try {
        const conf = writeConfDir(dir, 'auto', {
          'dfs.nameservices': 'ns1',
          'dfs.ha.namenodes.ns1': 'nn1,nn2',
          'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${nn1.rpcAddress.port}`,
          'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${nn2.rpcAddress.port}`,
          'dfs.ha.automatic-failover.enabled': 'true',
          'dfs.ha.zkfc.port.ns1.nn2': String(port),
          'dfs.ha.zkfc.port': '1',
        });
        expect(await runHaAdminProcess(['-failover', 'nn1', 'nn2'], { conf })).toEqual({
          code: 0,
          stdout: `Failover to NameNode at localhost/127.0.0.1:${nn2.rpcAddress.port} successful\n`,
          stderr: '',
        });
        expect((await nn2.state()).state).toBe('active');
        expect((await nn1.state()).state).toBe('standby');

        refuse = `NameNode at /127.0.0.1:${nn1.rpcAddress.port} is not currently healthy. Cannot be failover target`;
        // nn1's zkfc port is 1 here (nothing listens): an IOException, "Operation failed".
        const down = await runHaAdminProcess(['-failover', 'nn2', 'nn1'], { conf });
        expect(down.code).toBe(255);
        expect(down.stderr).toMatch(/^Operation failed: .*ECONNREFUSED/);
        const conf2 = writeConfDir(dir, 'auto-refuse', {
          'dfs.nameservices': 'ns1',
          'dfs.ha.namenodes.ns1': 'nn1,nn2',
          'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${nn1.rpcAddress.port}`,
          'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${nn2.rpcAddress.port}`,
          'dfs.ha.automatic-failover.enabled': 'true',
          'dfs.ha.zkfc.port': String(port),
        });
        expect(await runHaAdminProcess(['-failover', 'nn2', 'nn1'], { conf: conf2 })).toEqual({
          code: 255,
          stdout: '',
          stderr: `Failover failed: ${refuse}\n`,
        });
        expect(await runHaAdminProcess(['-failover', '--forceactive', 'nn2', 'nn1'], { conf: conf2 })).toEqual({
          code: 255,
          stdout: '',
          stderr: 'forcefence and forceactive flags not supported with auto-failover enabled.\n',
        });
      } finally {
        await zkfc.close();
      }
    },
  );
});
