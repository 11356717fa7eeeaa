// Goal: the haadmin runner gives Hadoop's output and status for -failover (argument errors,
// automatic failover on: flags refused, graceful failover through the target's ZKFC with its
// success / ServiceFailedException / access-denied outcomes and the configured zkfc port;
// automatic failover off: the ManualFailover path (Hadoop's FailoverController) wired from the configuration's
// dfs.ha.fencing.methods), for -help on the new commands, and for the additions beyond Hadoop:
// `status` / -status and --json on the read commands (documents on stdout, same exit codes,
// errors as {"error": ...}).
// Method: runHaAdmin in this process with captured output, against simulated NameNodes and a
// real ZKFCProtocol server (ZkfcRpcServer with a scripted handler) over loopback TCP, and the
// daemon's real StatusServer for /status; configurations are built in memory.
import { describe, expect, it } from 'vitest';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import { ZkfcRpcServer, type ZkfcProtocolHandler } from '../../../src/hadoop/zkfc-rpc-server.js';
import { NameNodeSimulator, type NameNodeSimulatorOptions } from '../../../tools/namenode-sim/sim-namenode.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { activeNode, startStatusListener, zkfcStatus } from '../../support/zkfc-status-fixture.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';
import { runHaAdminInProcess } from '../../support/haadmin-in-process.js';

const cleanups = cleanupsAfterEach();

async function sim(namenodeId: string, options: Partial<NameNodeSimulatorOptions> = {}): Promise<NameNodeSimulator> {
  const started = await NameNodeSimulator.start({ nameserviceId: 'ns1', namenodeId, superuser: 'hdfs', ...options });
  cleanups.push(() => started.stop());
  return started;
}

async function zkfcServer(handler: Partial<ZkfcProtocolHandler>): Promise<number> {
  const server = new ZkfcRpcServer({
    host: '127.0.0.1',
    port: 0,
    administrators: ' ',
    loginUser: 'hdfs',
    handler: { cedeActive: async () => undefined, gracefulFailover: async () => undefined, ...handler },
    logger: silentLogger(),
  });
  const { port } = await server.listen();
  cleanups.push(() => server.close());
  return port;
}

function conf(entries: Record<string, string>): HadoopConfiguration {
  return HadoopConfiguration.fromEntries(
    { 'dfs.nameservices': 'ns1', 'dfs.ha.namenodes.ns1': 'nn1,nn2', ...entries },
    { env: {}, systemProperties: {} },
  );
}

function pairConf(
  nn1: NameNodeSimulator | number,
  nn2: NameNodeSimulator | number,
  auto: boolean,
  extra: Record<string, string> = {},
): HadoopConfiguration {
  const port = (x: NameNodeSimulator | number): number => (typeof x === 'number' ? x : x.rpcAddress.port);
  return conf({
    'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${port(nn1)}`,
    'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${port(nn2)}`,
    'dfs.ha.automatic-failover.enabled': String(auto),
    ...extra,
  });
}

/** haadmin in this process; fencing commands see only PATH. */
async function haadmin(
  argv: string[],
  configuration: HadoopConfiguration,
  options: { user?: string; answers?: string[] } = {},
): Promise<{ status: number; out: string[]; err: string[] }> {
  const { status, out, err } = await runHaAdminInProcess(argv, configuration, {
    ...options,
    processEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  });
  return { status, out, err };
}

const USAGE = 'Usage: haadmin [-ns <nameserviceId>]';
const FAILOVER_USAGE = `${USAGE} [-failover [--forcefence] [--forceactive] <serviceId> <serviceId>]`;

describe('-failover: arguments', () => {
  const c = pairConf(1, 2, false);
  it.each<[string, string[]]>([
    ['one id', ['-failover', 'nn1']],
    ['three ids', ['-failover', 'nn1', 'nn2', 'nn3']],
    [
      'more than three option tokens',
      ['-failover', '--forcefence', '--forcefence', '--forceactive', '--forceactive', 'nn1', 'nn2'],
    ],
    ['an unknown option', ['-failover', '--force', 'nn1', 'nn2']],
  ])('%s → "failover: incorrect arguments" and the usage line', async (_name, argv) => {
    expect(await haadmin(argv, c)).toEqual({
      status: -1,
      out: [],
      err: ['failover: incorrect arguments', FAILOVER_USAGE],
    });
  });

  it('an unknown id is an illegal argument', async () => {
    expect((await haadmin(['-failover', 'nn1', 'nn9'], c)).err).toEqual([
      "Illegal argument: Unable to determine service address for namenode 'nn9'",
    ]);
  });

  it("-help failover prints Hadoop's help text", async () => {
    expect(await haadmin(['-help', 'failover'], c)).toEqual({
      status: 0,
      out: [
        '-failover [[--forcefence] [--forceactive] <serviceId> ' +
          '<serviceId>]: Failover from the first service to the second.\n' +
          'Unconditionally fence services if the --forcefence option is used.\n' +
          'Try to failover to the target service even if it is not ready if the --forceactive option is used.',
      ],
      err: [],
    });
  });
});

describe("-failover with automatic failover on: graceful failover through the target's ZKFC", () => {
  it('asks <to>\'s ZKFC at its dfs.ha.zkfc.port and prints "Failover to NameNode at ... successful"', async () => {
    const callers: string[] = [];
    const port = await zkfcServer({ gracefulFailover: async (caller) => void callers.push(caller) });
    const c = pairConf(8020, 8021, true, { 'dfs.ha.zkfc.port.ns1.nn2': String(port), 'dfs.ha.zkfc.port': '1' });
    expect(await haadmin(['-failover', 'nn1', 'nn2'], c)).toEqual({
      status: 0,
      out: ['Failover to NameNode at localhost/127.0.0.1:8021 successful'],
      err: [],
    });
    expect(callers).toHaveLength(1);
    expect(callers[0]).toMatch(/^hdfs at 127\.0\.0\.1/);
  });

  it('a ServiceFailedException from the ZKFC: "Failover failed: <message>", -1', async () => {
    const port = await zkfcServer({
      gracefulFailover: async () => {
        throw new Error('NameNode at /127.0.0.1:8021 is not currently healthy. Cannot be failover target');
      },
    });
    const c = pairConf(8020, 8021, true, { 'dfs.ha.zkfc.port': String(port) });
    expect(await haadmin(['-failover', 'nn1', 'nn2'], c)).toEqual({
      status: -1,
      out: [],
      err: ['Failover failed: NameNode at /127.0.0.1:8021 is not currently healthy. Cannot be failover target'],
    });
  });

  it('a caller the ZKFC does not admit: "Operation failed: Disallowed RPC access ..."', async () => {
    const port = await zkfcServer({});
    const run = await haadmin(
      ['-failover', 'nn1', 'nn2'],
      pairConf(8020, 8021, true, { 'dfs.ha.zkfc.port': String(port) }),
      { user: 'bob' },
    );
    expect(run.status).toBe(-1);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(
      new RegExp(
        String.raw`^Operation failed: Disallowed RPC access from bob \(auth:SIMPLE` +
          String.raw`\) at 127\.0\.0\.1\. Not listed in dfs\.cluster\.administrators$`,
      ),
    );
  });

  it('no ZKFC listening: "Operation failed: ..." (an IOException in Hadoop)', async () => {
    const run = await haadmin(['-failover', 'nn1', 'nn2'], pairConf(8020, 8021, true, { 'dfs.ha.zkfc.port': '1' }));
    expect(run.status).toBe(-1);
    expect(run.err[0]).toMatch(/^Operation failed: .*ECONNREFUSED/);
  });

  it(
    '--forcefence / --forceactive are refused; --forcemanual ' + 'is confirmed first and still goes through the ZKFC',
    async () => {
      let calls = 0;
      const port = await zkfcServer({ gracefulFailover: async () => void calls++ });
      const c = pairConf(8020, 8021, true, { 'dfs.ha.zkfc.port': String(port) });
      for (const flag of ['--forcefence', '--forceactive']) {
        expect(await haadmin(['-failover', flag, 'nn1', 'nn2'], c)).toEqual({
          status: -1,
          out: [],
          err: ['forcefence and forceactive flags not supported with auto-failover enabled.'],
        });
      }
      expect(calls).toBe(0);
      const forced = await haadmin(['-failover', '--forcemanual', 'nn1', 'nn2'], c, { answers: ['y'] });
      expect(forced).toMatchObject({ status: 0, out: ['Failover to NameNode at localhost/127.0.0.1:8021 successful'] });
      expect(calls).toBe(1);
    },
  );
});

describe('-failover with automatic failover off: wired from the configuration', () => {
  it(
    'fences with the configured methods (per-NameNode ' + 'key) and prints "Failover from nn1 to nn2 successful"',
    async () => {
      const nn1 = await sim('nn1', { automaticFailoverEnabled: false, initialState: 'ACTIVE' });
      const nn2 = await sim('nn2', { automaticFailoverEnabled: false });
      const c = pairConf(nn1, nn2, false, {
        'dfs.ha.fencing.methods': 'shell(false)',
        'dfs.ha.fencing.methods.ns1.nn1': 'shell(test "$dfs_ha_namenode_id" = nn1)',
      });
      const run = await haadmin(['-failover', '--forcefence', 'nn1', 'nn2'], c);
      expect(run.out).toEqual(['Failover from nn1 to nn2 successful']);
      expect(run.status).toBe(0);
      expect(nn2.model.currentState()).toBe('ACTIVE');
      expect(
        run.err.some((l) =>
          new RegExp(
            String.raw` INFO ha\.NodeFencer: ====== Fencing successful by method ` +
              String.raw`org\.apache\.hadoop\.ha\.ShellCommandFencer\(test "\$dfs_ha_namenode_id" = nn1\) ======$`,
          ).test(l),
        ),
      ).toBe(true);
    },
  );

  it('no fencing configured: "Illegal argument: failover requires a fencer", nothing touched', async () => {
    const nn1 = await sim('nn1', { automaticFailoverEnabled: false, initialState: 'ACTIVE' });
    const nn2 = await sim('nn2', { automaticFailoverEnabled: false });
    const run = await haadmin(['-failover', 'nn1', 'nn2'], pairConf(nn1, nn2, false));
    expect(run.status).toBe(-1);
    expect(run.err.at(-1)).toBe('Illegal argument: failover requires a fencer');
    expect(nn1.model.currentState()).toBe('ACTIVE');
  });

  it.each(['dfs.ha.fencing.ssh.connect-timeout', 'zkfc.fencing.shell.timeout.ms'])(
    'a unit suffix in %s (read with getInt / getLong, as the daemon ' +
      'reads it) is an illegal argument naming the key, nothing touched',
    async (key) => {
      const nn1 = await sim('nn1', { automaticFailoverEnabled: false, initialState: 'ACTIVE' });
      const nn2 = await sim('nn2', { automaticFailoverEnabled: false });
      const run = await haadmin(
        ['-failover', 'nn1', 'nn2'],
        pairConf(nn1, nn2, false, { 'dfs.ha.fencing.methods': 'shell(true)', [key]: '10s' }),
      );
      expect(run.status).toBe(-1);
      // Every setting of the table is read and validated once, with the daemon's rules, before any command runs.
      expect(run.err.at(-1)).toMatch(
        new RegExp(
          `^Illegal argument: invalid configuration:\\s+${key.replace(/\./g, '\\.')}: ` +
            `"10s" is not a number of milliseconds`,
        ),
      );
      expect(nn1.model.currentState()).toBe('ACTIVE');
    },
  );

  it('a refusal: "Failover failed: Can\'t failover to an active service"', async () => {
    const nn1 = await sim('nn1', { automaticFailoverEnabled: false, initialState: 'ACTIVE' });
    const nn2 = await sim('nn2', { automaticFailoverEnabled: false, initialState: 'ACTIVE' });
    const run = await haadmin(
      ['-failover', 'nn1', 'nn2'],
      pairConf(nn1, nn2, false, { 'dfs.ha.fencing.methods': 'shell(true)' }),
    );
    expect(run).toEqual({ status: -1, out: [], err: ["Failover failed: Can't failover to an active service"] });
  });
});

describe('beyond Hadoop: -status and --json', () => {
  it('`status` and `-status` print the table and exit with the verdict; --json prints the document', async () => {
    const nn1 = await sim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await sim('nn2');
    const lock = activeNode('nn1', nn1.rpcAddress);
    const z1 = await startStatusListener(zkfcStatus('nn1', { haState: 'ACTIVE', lockHolder: lock, breadcrumb: lock }));
    const z2 = await startStatusListener(zkfcStatus('nn2', { lockHolder: lock, breadcrumb: lock }));
    cleanups.push(
      () => z1.close(),
      () => z2.close(),
    );
    const c = pairConf(nn1, nn2, true, {
      'zkfc.http-address.ns1.nn1': `127.0.0.1:${z1.address.port}`,
      'zkfc.http-address.ns1.nn2': `127.0.0.1:${z2.address.port}`,
    });
    const text = await haadmin(['status'], c);
    expect(text.status).toBe(0);
    expect(text.err).toEqual([]);
    expect(text.out[0]).toMatch(/^Nameservice ns1 \(collected /);
    expect(text.out.find((l) => l.startsWith('nn1 '))).toMatch(/ active +SERVICE_HEALTHY +held +1\/1 ready$/);
    expect(text.out.at(-1)).toBe('Verdict: OK: one active NameNode, every NameNode and zkfc answered (exit 0)');
    expect((await haadmin(['-ns', 'ns1', '-status'], c)).status).toBe(0);

    const json = await haadmin(['-status', '--json'], c);
    expect(json.status).toBe(0);
    expect(json.out).toHaveLength(1);
    const document = JSON.parse(json.out[0] ?? '') as {
      verdict: string;
      activeNamenodes: string[];
      namenodes: Array<{ namenodeId: string; holdsLock: boolean }>;
    };
    expect(document).toMatchObject({ verdict: 'ok', activeNamenodes: ['nn1'] });
    expect(document.namenodes.map((nn) => [nn.namenodeId, nn.holdsLock])).toEqual([
      ['nn1', true],
      ['nn2', false],
    ]);

    await z2.close();
    expect((await haadmin(['status'], c)).status).toBe(1);
    nn1.model.forceState('STANDBY', 'test');
    expect((await haadmin(['status', '--json'], c)).status).toBe(2);
  });

  it(
    '-status without any way to choose the nameservice ' + 'is an illegal argument (and a JSON error with --json)',
    async () => {
      const multi = conf({ 'dfs.nameservices': 'ns1,ns2' });
      const run = await haadmin(['-status', '--json'], multi);
      expect(run.status).toBe(-1);
      expect(run.err[0]).toMatch(/^Illegal argument: Unable to determine the name service ID\./);
      expect(JSON.parse(run.out[0] ?? '')).toMatchObject({
        error: { kind: 'illegal-argument', code: 'CONFIG_INVALID' },
      });
      expect((await haadmin(['-status', 'extra'], multi)).err).toEqual([
        'status: incorrect number of arguments',
        `${USAGE} [-status [--json]]`,
      ]);
    },
  );

  it('-getServiceState --json', async () => {
    const nn1 = await sim('nn1', { safemode: true });
    const run = await haadmin(['-getServiceState', '--json', 'nn1'], pairConf(nn1, 1, true));
    expect(run.status).toBe(0);
    expect(JSON.parse(run.out.join('\n'))).toEqual({
      serviceId: 'nn1',
      address: `127.0.0.1:${nn1.rpcAddress.port}`,
      state: 'standby',
      readyToBecomeActive: false,
      notReadyReason: expect.stringMatching(/^The NameNode is in safemode\./),
    });
  });

  it(
    '-checkHealth --json: a document for healthy and ' + "unhealthy, same exit codes; stderr keeps Hadoop's text",
    async () => {
      const nn1 = await sim('nn1');
      const c = pairConf(nn1, 1, true);
      const healthy = await haadmin(['-checkHealth', 'nn1', '-json'], c);
      expect(healthy.status).toBe(0);
      expect(JSON.parse(healthy.out.join('\n'))).toEqual({
        serviceId: 'nn1',
        address: `127.0.0.1:${nn1.rpcAddress.port}`,
        healthy: true,
        reason: null,
      });
      nn1.model.applyFault({ fault: 'unhealthy' });
      const sick = await haadmin(['-checkHealth', 'nn1', '--json'], c);
      expect(sick.status).toBe(-1);
      expect(JSON.parse(sick.out.join('\n'))).toMatchObject({
        healthy: false,
        reason: 'The NameNode has no resources available',
      });
      expect(sick.err).toEqual(['Health check failed: The NameNode has no resources available']);
    },
  );

  it('-getAllServiceState --json lists every NameNode with its state or error', async () => {
    const nn1 = await sim('nn1', { initialState: 'ACTIVE' });
    const run = await haadmin(['-getAllServiceState', '--json'], pairConf(nn1, 1, true));
    expect(run.status).toBe(0);
    const document = JSON.parse(run.out.join('\n')) as {
      namenodes: Array<{ serviceId: string; address: string; state: string | null; error: string | null }>;
    };
    expect(document.namenodes[0]).toEqual({
      serviceId: 'nn1',
      address: `127.0.0.1:${nn1.rpcAddress.port}`,
      state: 'active',
      error: null,
    });
    expect(document.namenodes[1]).toMatchObject({ serviceId: 'nn2', address: '127.0.0.1:1', state: null });
    expect(document.namenodes[1]?.error).toMatch(/ECONNREFUSED/);
  });

  it(
    'an operation failure with --json: {"error": {kind: ' + "operation-failed}} on stdout, Hadoop's text on stderr",
    async () => {
      const run = await haadmin(['-getServiceState', 'nn1', '--json'], pairConf(1, 2, true));
      expect(run.status).toBe(-1);
      expect(run.err[0]).toMatch(/^Operation failed: .*ECONNREFUSED/);
      expect(JSON.parse(run.out.join('\n'))).toMatchObject({
        error: { kind: 'operation-failed', code: 'HA_UNREACHABLE' },
      });
    },
  );

  it('--json is refused by commands that change state', async () => {
    expect((await haadmin(['-transitionToActive', '--json', 'nn1'], pairConf(1, 2, true))).err[0]).toBe(
      'transitionToActive: incorrect arguments',
    );
  });

  it("-help status; the usage lists the additions after Hadoop's text", async () => {
    const help = await haadmin(['-help', 'status'], pairConf(1, 2, true));
    expect(help.status).toBe(0);
    expect(help.out[0]).toMatch(/^-status \[\[--json\]\]: Shows every NameNode of the nameservice/);
    const usage = await haadmin([], pairConf(1, 2, true));
    expect(usage.err.slice(-10)).toEqual([
      'Not in Hadoop: -status (also "status") reports the whole nameservice; -getServiceState,',
      '-getAllServiceState, -checkHealth and -status take --json for machine-readable output.',
      '-rm before the command addresses the ResourceManagers of yarn-site.xml (as yarn rmadmin),',
      'with -failover through their zkfc daemons; the default when only YARN HA is configured.',
      '-pause --ttl <time> --reason <text> (also "pause") holds every zkfc of the nameservice still',
      '(no failover, no fencing) until -resume (also "resume") or the time runs out.',
      '-failover --dry-run [--json] <serviceId> <serviceId> runs every check of the failover and',
      'changes nothing (exit 0: go, 255: no-go); -explain <serviceId> (also "explain") says why',
      'that service is or is not active.',
      '-history [--json] (also "history") shows the failover journal of the nameservice, newest first.',
    ]);
  });
});
