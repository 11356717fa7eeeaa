// Goal: manual failover (haadmin -failover with automatic failover off) follows Hadoop's
// FailoverController step by step: pre-checks on the target (same address, state, readiness,
// health), graceful stand-down of the old active, two-target fencing when needed or forced,
// transitionToActive, fail-back when the new active refuses, and Hadoop's messages for each
// failure. Ported from Hadoop's TestFailoverController scenarios.
// Method: ManualFailover with the real TwoTargetFencer (shell(...) methods run by bash,
// writing what they saw to a file) against simulated NameNodes served in-process over real
// loopback TCP; log lines are captured in memory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseFenceMethods } from '../../../src/core/fencing/fence-spec.js';
import type { HostPort } from '../../../src/core/types.js';
import { RpcHAServiceClientFactory } from '../../../src/hadoop/ha-service-client.js';
import { cliClock } from '../../../src/cli/haadmin/cli-clock.js';
import { consolePinoLogger, type ConsoleLog } from '../../../src/cli/haadmin/console-log.js';
import { IllegalArgumentError } from '../../../src/cli/haadmin/context.js';
import { FailoverFailedError, ManualFailover, type FailoverNode } from '../../../src/cli/haadmin/manual-failover.js';
import { runShellCommand } from '../../../src/cli/haadmin/shell-command.js';
import { TwoTargetFencer, type TransitionTargetState } from '../../../src/cli/haadmin/two-target-fencer.js';
import { NameNodeSimulator, type NameNodeSimulatorOptions } from '../../../tools/namenode-sim/sim-namenode.js';

const dir = mkdtempSync(join(tmpdir(), 'haadmin-failover-'));
const sims: NameNodeSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.stop('test done')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startSim(
  namenodeId: string,
  options: Partial<NameNodeSimulatorOptions> = {},
): Promise<NameNodeSimulator> {
  const sim = await NameNodeSimulator.start({
    nameserviceId: 'ns1',
    namenodeId,
    superuser: 'hdfs',
    automaticFailoverEnabled: false,
    ...options,
  });
  sims.push(sim);
  return sim;
}

interface World {
  readonly lines: string[];
  readonly log: ConsoleLog;
  readonly fenceLog: string;
  node(namenodeId: string, address: HostPort, state: TransitionTargetState, fencing?: string): FailoverNode;
  controller(timeouts?: Partial<{ newActiveRpcMs: number; gracefulFenceRpcMs: number }>): ManualFailover;
  fenceCalls(): string[];
}

let worldCount = 0;
function world(): World {
  const lines: string[] = [];
  const log: ConsoleLog = { log: (category, level, message) => lines.push(`${level} ${category}: ${message}`) };
  const fenceLog = join(dir, `fence-${++worldCount}.log`);
  const clients = new RpcHAServiceClientFactory({ effectiveUser: 'hdfs', connectTimeoutMs: 2_000 });
  return {
    lines,
    log,
    fenceLog,
    node(namenodeId, address, transitionTargetState, fencing) {
      const description = `NameNode at /${address.host}:${address.port}`;
      const base = { nameserviceId: 'ns1', namenodeId, address, description, transitionTargetState };
      if (fencing === undefined)
        return { ...base, fencer: undefined, fencerProblem: 'dfs.ha.fencing.methods is not set' };
      const parsed = parseFenceMethods(fencing);
      if (!parsed.ok) throw new Error(parsed.error.message);
      const fencer = new TwoTargetFencer({
        methods: parsed.methods,
        conf: [
          ['dfs.nameservice.id', 'ns1'],
          ['dfs.ha.namenode.id', namenodeId],
        ],
        baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', FENCE_LOG: fenceLog },
        shellTimeoutMs: 5_000,
        ssh: { privateKeyFiles: [], connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 },
        log,
        sshLogger: consolePinoLogger('ha.SshFenceByTcpPort', (line) => lines.push(line)),
        clock: cliClock,
        runShell: runShellCommand,
      });
      return { ...base, fencer };
    },
    controller(timeouts = {}) {
      return new ManualFailover({
        clients,
        requestSource: 'REQUEST_BY_USER',
        timeouts: {
          newActiveRpcMs: timeouts.newActiveRpcMs ?? 5_000,
          gracefulFenceRpcMs: timeouts.gracefulFenceRpcMs ?? 2_000,
          gracefulFenceConnectionRetries: 1,
          connectRetryIntervalMs: 50,
        },
        log,
        sameAddress: async (a, b) => a.host === b.host && a.port === b.port,
      });
    },
    fenceCalls() {
      try {
        return readFileSync(fenceLog, 'utf8').trim().split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}

/** Appends "<prefix> <namenodeid> <host>:<port>" for whichever of target_/source_ is set, then exits `code`. */
const RECORD = (code = 0): string =>
  `shell(if [ -n "$target_namenodeid" ]; then echo "target $target_namenodeid ` +
  `$target_host:$target_port source=\${source_namenodeid:-}" >> ` +
  `"$FENCE_LOG"; else echo "source $source_namenodeid $source_host:$source_port ` +
  `target=\${target_namenodeid:-}" >> "$FENCE_LOG"; fi; exit ${code})`;

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the failover to fail');
}

describe('manual failover: the happy paths', () => {
  it('graceful: the old active stands down, the target becomes active, nothing is fenced', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await startSim('nn2');
    const w = world();
    await w
      .controller()
      .failover(
        w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
        w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
        false,
        false,
      );
    expect(nn1.model.currentState()).toBe('STANDBY');
    expect(nn2.model.currentState()).toBe('ACTIVE');
    expect(w.fenceCalls()).toEqual([]);
    expect(w.lines).toEqual([]);
  });

  it(
    '--forcefence fences after a successful graceful step: the ' +
      'new active first (target_*), then the old one (source_* only)',
    async () => {
      const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
      const nn2 = await startSim('nn2');
      const w = world();
      await w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
          w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
          true,
          false,
        );
      expect(w.fenceCalls()).toEqual([
        `target nn2 127.0.0.1:${nn2.rpcAddress.port} source=`,
        `source nn1 127.0.0.1:${nn1.rpcAddress.port} target=`,
      ]);
      expect(nn2.model.currentState()).toBe('ACTIVE');
      expect(w.lines).toContain('INFO ha.NodeFencer: ====== Beginning Service Fencing Process... ======');
      expect(
        w.lines.some((l) =>
          l.startsWith(
            'INFO ha.NodeFencer: ====== Fencing successful by method org.apache.hadoop.ha.ShellCommandFencer(',
          ),
        ),
      ).toBe(true);
    },
  );

  it('an unreachable old active is fenced (graceful fails to connect), then the target becomes active', async () => {
    const nn2 = await startSim('nn2');
    const w = world();
    const dead = { host: '127.0.0.1', port: 1 };
    await w
      .controller()
      .failover(
        w.node('nn1', dead, 'STANDBY', RECORD()),
        w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
        false,
        false,
      );
    expect(nn2.model.currentState()).toBe('ACTIVE');
    expect(w.fenceCalls()).toEqual([
      `target nn2 127.0.0.1:${nn2.rpcAddress.port} source=`,
      'source nn1 127.0.0.1:1 target=',
    ]);
    expect(w.lines[0]).toMatch(
      new RegExp(
        String.raw`^WARN ha\.FailoverController: Unable to gracefully make NameNode ` +
          String.raw`at \/127\.0\.0\.1:1 standby \(unable to connect\)\n.*ECONNREFUSED`,
      ),
    );
  });

  it('a target that is not ready is refused, unless --forceactive (then a warning)', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await startSim('nn2', { safemode: true });
    const w = world();
    const error = await failure(
      w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
          w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
          false,
          false,
        ),
    );
    expect(error).toBeInstanceOf(FailoverFailedError);
    expect(error.message).toMatch(
      new RegExp(
        `^NameNode at /127\\.0\\.0\\.1:${nn2.rpcAddress.port} is ` +
          `not ready to become active: The NameNode is in safemode\\.`,
      ),
    );
    expect(nn1.model.currentState()).toBe('ACTIVE');

    await w
      .controller()
      .failover(
        w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
        w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
        false,
        true,
      );
    expect(nn2.model.currentState()).toBe('ACTIVE');
    expect(
      w.lines.some((l) =>
        l.startsWith(
          'WARN ha.FailoverController: Service is not ready to ' +
            'become active, but forcing: The NameNode is in safemode.',
        ),
      ),
    ).toBe(true);
  });
});

describe('manual failover: pre-checks refuse before anything changes', () => {
  it.each<[string, Partial<NameNodeSimulatorOptions>, RegExp]>([
    ['an active target', { initialState: 'ACTIVE' }, /^Can't failover to an active service$/],
    ['an observer target', { initialState: 'OBSERVER' }, /^Can't failover to an observer service$/],
  ])('%s', async (_name, target, message) => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await startSim('nn2', target);
    const w = world();
    const error = await failure(
      w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
          w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
          false,
          false,
        ),
    );
    expect(error).toBeInstanceOf(FailoverFailedError);
    expect(error.message).toMatch(message);
    expect(nn1.model.snapshot().calls.transitionToStandby).toBe(0);
  });

  it('an unhealthy target: "Can\'t failover to an unhealthy service"', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await startSim('nn2');
    nn2.model.applyFault({ fault: 'unhealthy' });
    const w = world();
    const error = await failure(
      w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
          w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
          false,
          false,
        ),
    );
    expect(error.message).toBe("Can't failover to an unhealthy service");
    expect(nn1.model.currentState()).toBe('ACTIVE');
  });

  it('an unreachable target: "Unable to get service state for ..." (and an ERROR line)', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const w = world();
    const error = await failure(
      w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
          w.node('nn2', { host: '127.0.0.1', port: 1 }, 'ACTIVE', RECORD()),
          false,
          false,
        ),
    );
    expect(error.message).toBe('Unable to get service state for NameNode at /127.0.0.1:1');
    expect(w.lines[0]).toMatch(
      /^ERROR ha\.FailoverController: Unable to get service state for NameNode at \/127\.0\.0\.1:1\n/,
    );
    expect(nn1.model.currentState()).toBe('ACTIVE');
  });

  it('the same address on both sides: "Can\'t failover a service to itself"', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const w = world();
    const error = await failure(
      w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
          w.node('nn2', nn1.rpcAddress, 'ACTIVE', RECORD()),
          false,
          false,
        ),
    );
    expect(error.message).toBe("Can't failover a service to itself");
  });

  it(
    'no fencer for the old active: IllegalArgumentError ' + '"failover requires a fencer", with the reason logged',
    async () => {
      const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
      const nn2 = await startSim('nn2');
      const w = world();
      const error = await failure(
        w
          .controller()
          .failover(
            w.node('nn1', nn1.rpcAddress, 'STANDBY'),
            w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
            false,
            false,
          ),
      );
      expect(error).toBeInstanceOf(IllegalArgumentError);
      expect(error.message).toBe('failover requires a fencer');
      expect(w.lines).toEqual(['WARN ha.NodeFencer: No usable fencer: dfs.ha.fencing.methods is not set']);
      expect(nn1.model.snapshot().calls.getServiceStatus + nn2.model.snapshot().calls.getServiceStatus).toBe(0);
    },
  );
});

describe('manual failover: fencing failures and fail-back', () => {
  it(
    'graceful fails and every method fails: "Unable to ' + 'fence ... Fencing failed."; the target stays standby',
    async () => {
      const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
      const nn2 = await startSim('nn2');
      nn1.model.applyFault({ fault: 'refuse-transitions' });
      const w = world();
      // two methods; each: the ACTIVE-bound part succeeds, the STANDBY-bound part fails
      const method = (n: number): string =>
        `shell(echo "to ${n} $target_namenodeid" >> "$FENCE_LOG",echo ` +
        `"from ${n} $source_namenodeid" >> "$FENCE_LOG"; exit 1)`;
      const error = await failure(
        w
          .controller()
          .failover(
            w.node('nn1', nn1.rpcAddress, 'STANDBY', `${method(1)}\n${method(2)}`),
            w.node('nn2', nn2.rpcAddress, 'ACTIVE'),
            false,
            false,
          ),
      );
      expect(error.message).toBe(`Unable to fence NameNode at /127.0.0.1:${nn1.rpcAddress.port}. Fencing failed.`);
      expect(nn2.model.currentState()).toBe('STANDBY');
      expect(nn2.model.snapshot().calls.transitionToActive).toBe(0);
      // Each method fenced the new active first; only when that succeeded was the old one tried.
      expect(w.fenceCalls()).toEqual(['to 1 nn2', 'from 1 nn1', 'to 2 nn2', 'from 2 nn1']);
      expect(w.lines.filter((l) => l.includes('was unsuccessful'))).toHaveLength(2);
      expect(w.lines).toContain('ERROR ha.NodeFencer: Unable to fence service by any configured method.');
      expect(w.lines[0]).toMatch(
        new RegExp(
          String.raw`^WARN ha\.FailoverController: Unable to gracefully make NameNod` +
            String.raw`e at .* standby \(Simulated failure: transitionToStandby refused`,
        ),
      );
    },
  );

  it('when fencing the new active fails, the old active is not fenced by that method', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await startSim('nn2');
    const w = world();
    // first part for the ACTIVE-bound node fails; the STANDBY part would succeed
    const fencing = `shell(echo to >> "$FENCE_LOG"; exit 3,echo from >> "$FENCE_LOG")`;
    const error = await failure(
      w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', fencing),
          w.node('nn2', nn2.rpcAddress, 'ACTIVE'),
          true,
          false,
        ),
    );
    expect(error.message).toMatch(/^Unable to fence NameNode at .*\. Fencing failed\.$/);
    expect(w.fenceCalls()).toEqual(['to']);
    expect(w.lines).toContain(
      'ERROR ha.NodeFencer: ====== Fencing on target failed, skipping fencing on source ======',
    );
    // the graceful step had already made nn1 standby (--forcefence fences anyway): nobody is active now, as in Hadoop
    expect(nn1.model.currentState()).toBe('STANDBY');
    expect(nn2.model.currentState()).toBe('STANDBY');
  });

  it(
    'the target refuses to become active: fail back to the old ' +
      'active (fenced first), then "Unable to failover to ..."',
    async () => {
      const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
      const nn2 = await startSim('nn2');
      nn2.model.applyFault({ fault: 'refuse-transitions' });
      const w = world();
      const error = await failure(
        w
          .controller()
          .failover(
            w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
            w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
            false,
            false,
          ),
      );
      expect(error).toBeInstanceOf(FailoverFailedError);
      expect(error.message).toBe(`Unable to failover to NameNode at /127.0.0.1:${nn2.rpcAddress.port}`);
      expect(nn1.model.currentState()).toBe('ACTIVE');
      expect(nn2.model.currentState()).toBe('STANDBY');
      // Fail-back = failover(nn2, nn1, forceFence, forceActive) with nn2's fencer. The roles swap
      // and so do the transition states (unlike Hadoop): nn1, becoming active again, is fenced first
      // as target_*, then nn2, the node being fenced, as source_*.
      expect(w.fenceCalls()).toEqual([
        `target nn1 127.0.0.1:${nn1.rpcAddress.port} source=`,
        `source nn2 127.0.0.1:${nn2.rpcAddress.port} target=`,
      ]);
      expect(
        w.lines.some((l) =>
          l.startsWith(
            `ERROR ha.FailoverController: Unable to make NameNode at ` +
              `/127.0.0.1:${nn2.rpcAddress.port} active (Simulated failure`,
          ),
        ),
      ).toBe(true);
    },
  );

  it('fail-back that cannot fence the refusing target: the message says both', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await startSim('nn2');
    nn2.model.applyFault({ fault: 'refuse-transitions' });
    const w = world();
    const error = await failure(
      w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
          w.node('nn2', nn2.rpcAddress, 'ACTIVE', 'shell(false)'),
          false,
          false,
        ),
    );
    const nn2Name = `NameNode at /127.0.0.1:${nn2.rpcAddress.port}`;
    expect(error.message).toBe(
      `Unable to failover to ${nn2Name}. Failback to NameNode at ` +
        `/127.0.0.1:${nn1.rpcAddress.port} failed (Unable to fence ${nn2Name}. Fencing failed.)`,
    );
    expect(nn1.model.currentState()).toBe('STANDBY');
    expect(w.lines).toContain(`ERROR ha.FailoverController: ${error.message}`);
  });

  it('no fail-back when the old active was fenced', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await startSim('nn2');
    nn2.model.applyFault({ fault: 'refuse-transitions' });
    const w = world();
    const error = await failure(
      w
        .controller()
        .failover(
          w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
          w.node('nn2', nn2.rpcAddress, 'ACTIVE', RECORD()),
          true,
          false,
        ),
    );
    expect(error.message).toBe(`Unable to failover to NameNode at /127.0.0.1:${nn2.rpcAddress.port}`);
    expect(nn1.model.currentState()).toBe('STANDBY');
    expect(nn1.model.snapshot().calls.transitionToActive).toBe(0);
  });

  it(
    'a target without a fencer makes the fail-back an illegal ' +
      'argument, as in Hadoop (the old active stays standby)',
    async () => {
      const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
      const nn2 = await startSim('nn2');
      nn2.model.applyFault({ fault: 'refuse-transitions' });
      const w = world();
      const error = await failure(
        w
          .controller()
          .failover(
            w.node('nn1', nn1.rpcAddress, 'STANDBY', RECORD()),
            w.node('nn2', nn2.rpcAddress, 'ACTIVE'),
            false,
            false,
          ),
      );
      expect(error).toBeInstanceOf(IllegalArgumentError);
      expect(nn1.model.currentState()).toBe('STANDBY');
    },
  );
});
