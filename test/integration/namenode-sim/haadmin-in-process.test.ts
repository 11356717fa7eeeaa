// Goal: the haadmin runner gives Hadoop's output and status for every path of the first
// commands: usage and parse errors (-ns handling, unknown/bad commands, wrong argument counts,
// unknown options), -help, "Illegal argument" for unknown ids and ambiguous nameservices,
// "Operation failed" for RPC failures, the manual-mode refusal and the --forcemanual
// confirmation (yes, no, invalid, end of input), -transitionToActive's check of the other
// NameNodes, and -getAllServiceState's column format.
// Method: runHaAdmin in this process with captured output and scripted answers, against
// simulated NameNodes over real loopback TCP; the configuration is built in memory (-D tested too).
import { afterEach, describe, expect, it } from 'vitest';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import { exitCodeFor, parseCommandLine } from '../../../src/cli/haadmin/run.js';
import { NameNodeSimulator, type NameNodeSimulatorOptions } from '../../../tools/namenode-sim/sim-namenode.js';
import { runHaAdminInProcess, type HaAdminRun } from '../../support/haadmin-in-process.js';

const sims: NameNodeSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.stop('test done')));
});

async function startSim(
  namenodeId: string,
  options: Partial<NameNodeSimulatorOptions> = {},
): Promise<NameNodeSimulator> {
  const sim = await NameNodeSimulator.start({ nameserviceId: 'ns1', namenodeId, superuser: 'hdfs', ...options });
  sims.push(sim);
  return sim;
}

/** A two-NameNode nameservice configuration pointing at the given simulators. */
function confFor(nn1: NameNodeSimulator | number, nn2: NameNodeSimulator | number, auto: boolean): HadoopConfiguration {
  const port = (x: NameNodeSimulator | number) => (typeof x === 'number' ? x : x.rpcAddress.port);
  return HadoopConfiguration.fromEntries(
    {
      'dfs.nameservices': 'ns1',
      'dfs.ha.namenodes.ns1': 'nn1,nn2',
      'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${port(nn1)}`,
      'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${port(nn2)}`,
      'dfs.ha.automatic-failover.enabled': String(auto),
    },
    { env: {}, systemProperties: {} },
  );
}

function haadmin(
  argv: string[],
  conf: HadoopConfiguration,
  options: { user?: string; answers?: string[] } = {},
): Promise<HaAdminRun> {
  return runHaAdminInProcess(argv, conf, { connectTimeoutMs: 5_000, ...options });
}

const USAGE_LINE = 'Usage: haadmin [-ns <nameserviceId>]';

describe('command line errors and help', () => {
  const conf = confFor(1, 2, true);

  it.each<[string, string[], string[]]>([
    ['no arguments: the full usage', [], [USAGE_LINE]],
    ['-ns without an id', ['-ns'], ['Missing nameservice ID', USAGE_LINE]],
    ['-ns without a command', ['-ns', 'ns1'], ['Missing command', USAGE_LINE]],
    [
      'a command without a dash',
      ['getServiceState', 'nn1'],
      ["Bad command 'getServiceState': expected command starting with '-'", USAGE_LINE],
    ],
    ['an unknown command', ['-frobnicate'], ['frobnicate: Unknown command', USAGE_LINE]],
    [
      'a missing argument',
      ['-getServiceState'],
      ['getServiceState: incorrect number of arguments', `${USAGE_LINE} [-getServiceState <serviceId>]`],
    ],
    [
      'too many arguments',
      ['-checkHealth', 'nn1', 'nn2'],
      ['checkHealth: incorrect number of arguments', `${USAGE_LINE} [-checkHealth <serviceId>]`],
    ],
    [
      'an option the command does not take',
      ['-transitionToStandby', '--forceactive', 'nn1'],
      ['transitionToStandby: incorrect arguments', `${USAGE_LINE} [-transitionToStandby <serviceId>]`],
    ],
  ])('%s → status -1', async (_name, argv, expectedStart) => {
    const run = await haadmin(argv, conf);
    expect(run.status).toBe(-1);
    expect(exitCodeFor(run.status)).toBe(255);
    expect(run.err.slice(0, expectedStart.length)).toEqual(expectedStart);
    expect(run.out).toEqual([]);
  });

  it('the full usage lists the commands sorted, then the generic options', async () => {
    const run = await haadmin([], conf);
    expect(run.err.slice(0, 15)).toEqual([
      USAGE_LINE,
      '    [-checkHealth <serviceId>]',
      '    [-explain <serviceId> [--json]]',
      '    [-failover [--forcefence] [--forceactive] <serviceId> <serviceId>]',
      '    [-getAllServiceState]',
      '    [-getServiceState <serviceId>]',
      '    [-help <command>]',
      '    [-history [--json]]',
      '    [-pause --ttl <time> --reason <text>]',
      '    [-resume]',
      '    [-status [--json]]',
      '    [-transitionToActive [--forceactive] <serviceId>]',
      '    [-transitionToObserver <serviceId>]',
      '    [-transitionToStandby <serviceId>]',
      '',
    ]);
    expect(run.err).toContain('Generic options supported are:');
  });

  it('-help prints the usage (status 0), per-command help, and refuses unknown commands', async () => {
    expect((await haadmin(['-help'], conf)).out[0]).toBe(USAGE_LINE);
    expect((await haadmin(['-help'], conf)).status).toBe(0);
    const one = await haadmin(['-help', 'getServiceState'], conf);
    expect(one).toMatchObject({ status: 0, out: ['-getServiceState [<serviceId>]: Returns the state of the service'] });
    expect((await haadmin(['-help', '-getAllServiceState'], conf)).out).toEqual([
      '-getAllServiceState: Returns the state of all the services',
    ]);
    const unknown = await haadmin(['-help', 'nope'], conf);
    expect(unknown.status).toBe(-1);
    expect(unknown.err[0]).toBe('-nope: Unknown command');
    expect((await haadmin(['-help', 'a', 'b'], conf)).err).toEqual([`${USAGE_LINE} [-help <command>]`]);
  });

  it('GnuParser-style options: one or two dashes, anywhere; "--" ends options', () => {
    expect(parseCommandLine(['-forcemanual', 'nn1'], ['forcemanual'])).toEqual({
      args: ['nn1'],
      options: new Set(['forcemanual']),
      optionCount: 1,
      values: new Map(),
    });
    expect(parseCommandLine(['nn1', '--forcemanual'], ['forcemanual'])).toEqual({
      args: ['nn1'],
      options: new Set(['forcemanual']),
      optionCount: 1,
      values: new Map(),
    });
    expect(parseCommandLine(['--', '-nn1'], ['forcemanual'])).toEqual({
      args: ['-nn1'],
      options: new Set(),
      optionCount: 0,
      values: new Map(),
    });
    // repeats count, as commons-cli's getOptions() lists every occurrence
    expect(parseCommandLine(['-forcemanual', '--forcemanual', 'nn1'], ['forcemanual'])?.optionCount).toBe(2);
    expect(parseCommandLine(['--forcefence', 'nn1'], ['forcemanual'])).toBeUndefined();
  });

  it('an unknown NameNode id is "Illegal argument" with Hadoop\'s message', async () => {
    const run = await haadmin(['-getServiceState', 'nn9'], conf);
    expect(run).toMatchObject({
      status: -1,
      err: ["Illegal argument: Unable to determine service address for namenode 'nn9'"],
    });
  });

  it('several nameservices need -ns', async () => {
    const multi = confFor(1, 2, true);
    multi.set('dfs.nameservices', 'ns1,ns2');
    const run = await haadmin(['-getServiceState', 'nn1'], multi);
    expect(run.err).toEqual([
      'Illegal argument: Unable to determine the name service ID. This is an HA configuration with multiple ' +
        'name services configured. dfs.nameservices is set to [ns1, ns2]. Please re-run with the -ns option.',
    ]);
  });
});

describe('read-only commands against simulated NameNodes', () => {
  it('-getServiceState prints the lower-case state; -ns and -D select the target', async () => {
    const nn1 = await startSim('nn1');
    const nn2 = await startSim('nn2', { initialState: 'ACTIVE' });
    const conf = confFor(nn1, nn2, true);
    expect(await haadmin(['-getServiceState', 'nn1'], conf)).toMatchObject({ status: 0, out: ['standby'], err: [] });
    expect(await haadmin(['-ns', 'ns1', '-getServiceState', 'nn2'], conf)).toMatchObject({
      status: 0,
      out: ['active'],
    });
    // -D points nn1 at nn2's port
    expect(
      await haadmin(
        ['-D', `dfs.namenode.rpc-address.ns1.nn1=127.0.0.1:${nn2.rpcAddress.port}`, '-getServiceState', 'nn1'],
        conf,
      ),
    ).toMatchObject({
      out: ['active'],
    });
  });

  it(
    '-checkHealth: 0 when healthy; "Health check failed" ' + 'when unhealthy; "Operation failed" for other errors',
    async () => {
      const nn1 = await startSim('nn1');
      const conf = confFor(nn1, 1, true);
      expect(await haadmin(['-checkHealth', 'nn1'], conf)).toMatchObject({ status: 0, out: [], err: [] });
      nn1.model.applyFault({ fault: 'unhealthy' });
      expect(await haadmin(['-checkHealth', 'nn1'], conf)).toMatchObject({
        status: -1,
        err: ['Health check failed: The NameNode has no resources available'],
      });
      expect(await haadmin(['-checkHealth', 'nn1'], conf, { user: 'bob' })).toMatchObject({
        status: -1,
        err: ['Operation failed: Access denied for user bob. Superuser privilege is required'],
      });
      const down = await haadmin(['-checkHealth', 'nn2'], conf);
      expect(down.status).toBe(-1);
      expect(down.err[0]).toMatch(/^Operation failed: .*ECONNREFUSED/);
    },
  );

  it('a NameNode still starting: "Operation failed: NameNode still not started"', async () => {
    const nn1 = await startSim('nn1', { startupDelayMs: 60_000 });
    expect(await haadmin(['-getServiceState', 'nn1'], confFor(nn1, 1, true))).toMatchObject({
      status: -1,
      err: ['Operation failed: NameNode still not started'],
    });
  });

  it('-getAllServiceState: "%-50s %-10s" lines, failures in the second column, status 0', async () => {
    const nn1 = await startSim('nn1', { initialState: 'ACTIVE' });
    const conf = confFor(nn1, 1, true);
    const run = await haadmin(['-getAllServiceState'], conf);
    expect(run.status).toBe(0);
    expect(run.out).toHaveLength(2);
    expect(run.out[0]).toBe(`${`localhost:${nn1.rpcAddress.port}`.padEnd(50)} active    `);
    expect(run.out[1]).toMatch(/^localhost:1 {39} Failed to connect: .*ECONNREFUSED/);
    const none = HadoopConfiguration.fromEntries({ 'dfs.nameservices': 'ns1' }, { env: {}, systemProperties: {} });
    expect(await haadmin(['-getAllServiceState'], none)).toMatchObject({
      status: -1,
      err: ['Failed to get service IDs'],
    });
  });
});

describe('state changes', () => {
  it("with automatic failover on, manual transitions are refused with Hadoop's text", async () => {
    const nn1 = await startSim('nn1');
    const nn2 = await startSim('nn2');
    const conf = confFor(nn1, nn2, true);
    const run = await haadmin(['-transitionToStandby', 'nn1'], conf);
    expect(run.status).toBe(-1);
    expect(run.errText).toBe(
      `Automatic failover is enabled for NameNode at /127.0.0.1:${nn1.rpcAddress.port}\n` +
        'Refusing to manually manage HA state, since it may cause\n' +
        'a split-brain scenario or other incorrect state.\n' +
        'If you are very sure you know what you are doing, please \n' +
        'specify the --forcemanual flag.\n',
    );
    // -transitionToActive checks the *other* NameNode first, so the refusal names nn2
    const active = await haadmin(['-transitionToActive', 'nn1'], conf);
    expect(active.status).toBe(-1);
    expect(active.err[0]).toBe(
      `Automatic failover is enabled for NameNode at /127.0.0.1:${nn2.rpcAddress.port}\nRefusing ` +
        `to manually manage HA state, since it may cause\na ` +
        `split-brain scenario or other incorrect state.\nIf you are very sure ` +
        `you know what you are doing, please \nspecify the --forcemanual flag.`,
    );
    expect(nn1.model.snapshot().calls.transitionToActive).toBe(0);
  });

  it(
    '--forcemanual asks first: "Y" proceeds with REQUEST_BY_USER_FORCED, ' +
      '"n" aborts, junk asks again, end of input aborts',
    async () => {
      const nn1 = await startSim('nn1');
      const nn2 = await startSim('nn2');
      const conf = confFor(nn1, nn2, true);

      const no = await haadmin(['-transitionToActive', '--forcemanual', 'nn1'], conf, { answers: ['n'] });
      expect(no.status).toBe(-1);
      expect(no.errText).toMatch(
        new RegExp(
          String.raw`You have specified the --forcemanual flag\. This flag is dange` +
            String.raw`rous.*\n[\s\S]*Are you sure you want to continue\? \(Y or N\) `,
        ),
      );
      expect(no.err.at(-1)).toMatch(/ ERROR ha\.HAAdmin: Aborted$/);
      expect(nn1.model.currentState()).toBe('STANDBY');

      const eof = await haadmin(['-transitionToActive', '-forcemanual', 'nn1'], conf, { answers: [] });
      expect(eof.status).toBe(-1);
      expect(nn1.model.currentState()).toBe('STANDBY');

      const yes = await haadmin(['-transitionToActive', '-forcemanual', 'nn1'], conf, { answers: ['maybe', 'Y'] });
      expect(yes.status).toBe(0);
      expect(yes.err).toContain('Invalid input: maybe');
      expect(yes.errText).toMatch(
        new RegExp(
          String.raw`WARN ha\.HAAdmin: Proceeding with manual HA state management even tho` +
            String.raw`ugh\nautomatic failover is enabled for NameNode at \/127\.0\.0\.1:\d+`,
        ),
      );
      expect(nn1.model.currentState()).toBe('ACTIVE');

      const standby = await haadmin(['-transitionToStandby', 'nn1', '--forcemanual'], conf, { answers: ['yes'] });
      expect(standby.status).toBe(0);
      expect(nn1.model.currentState()).toBe('STANDBY');

      const observer = await haadmin(['-transitionToObserver', '--forcemanual', 'nn2'], conf, { answers: ['y'] });
      expect(observer.status).toBe(0);
      expect(nn2.model.currentState()).toBe('OBSERVER');
    },
  );

  it(
    'manual mode: -transitionToActive refuses while another NameNode ' +
      'is active, or cannot be asked; --forceactive skips the check',
    async () => {
      const nn1 = await startSim('nn1', { automaticFailoverEnabled: false });
      const nn2 = await startSim('nn2', { automaticFailoverEnabled: false, initialState: 'ACTIVE' });
      const conf = confFor(nn1, nn2, false);

      const busy = await haadmin(['-transitionToActive', 'nn1'], conf);
      expect(busy).toMatchObject({
        status: -1,
        err: [
          'transitionToActive: Node nn2 is already active',
          `${USAGE_LINE} [-transitionToActive [--forceactive] <serviceId>]`,
        ],
      });
      expect(nn1.model.currentState()).toBe('STANDBY');

      expect(await haadmin(['-transitionToStandby', 'nn2'], conf)).toMatchObject({ status: 0, err: [] });
      expect(await haadmin(['-transitionToActive', 'nn1'], conf)).toMatchObject({ status: 0, err: [] });
      expect(nn1.model.currentState()).toBe('ACTIVE');

      const unreachable = confFor(nn1, 1, false);
      const cannotAsk = await haadmin(['-transitionToActive', 'nn1'], unreachable);
      expect(cannotAsk.status).toBe(-1);
      expect(cannotAsk.err[0]).toMatch(/^Unexpected error occurred {2}.*ECONNREFUSED/);

      await haadmin(['-transitionToStandby', 'nn1'], conf);
      expect(await haadmin(['-transitionToActive', '--forceactive', 'nn1'], unreachable)).toMatchObject({ status: 0 });
      expect(nn1.model.currentState()).toBe('ACTIVE');
    },
  );

  it('a refusal by the NameNode is "Operation failed: <its message>"', async () => {
    const nn1 = await startSim('nn1', { automaticFailoverEnabled: false, initialState: 'OBSERVER' });
    const nn2 = await startSim('nn2', { automaticFailoverEnabled: false });
    const run = await haadmin(['-transitionToActive', 'nn1'], confFor(nn1, nn2, false));
    expect(run).toMatchObject({ status: -1, err: ["Operation failed: Cannot transition from 'observer' to 'active'"] });
    // the NameNode's own gate, when the client thinks auto failover is off but the NameNode has it on
    const gated = await startSim('nn3', { automaticFailoverEnabled: true });
    const mismatch = await haadmin(['-transitionToStandby', 'nn1'], confFor(gated, nn2, false));
    expect(mismatch.err).toEqual([
      'Operation failed: Manual HA control for this NameNode is disallowed, because automatic HA is enabled.',
    ]);
  });
});
