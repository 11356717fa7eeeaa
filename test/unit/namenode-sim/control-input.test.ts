// Goal: the simulator's two input surfaces refuse bad input with a typed error naming what is
// wrong, and accept every documented form: fault requests of the /sim/fault control interface,
// and the `zkfc-sim` command line (defaults, flags, port 0, bounds).
// Method: table tests on parseFault / applyFault / parseSimArgs.
import { describe, expect, it } from 'vitest';
import { parseSimArgs, SimUsageError } from '../../../tools/namenode-sim/cli-args.js';
import { applyFault, FaultRequestError, NO_FAULTS, parseFault } from '../../../tools/namenode-sim/faults.js';

describe('parseFault', () => {
  it.each([
    ['{"fault":"unhealthy"}', { fault: 'unhealthy' }],
    ['{"fault":"slow","ms":250}', { fault: 'slow', ms: 250 }],
    ['{"slow":{"ms":250}}', { fault: 'slow', ms: 250 }],
    ['{"delay-transitions":{"ms":0}}', { fault: 'delay-transitions', ms: 0 }],
    ['{"hang":true}', { fault: 'hang' }],
    ['"crash"', { fault: 'crash' }],
    ['exit-on-activate', { fault: 'exit-on-activate' }],
    [' slow:1500 ', { fault: 'slow', ms: 1500 }],
    ['none', { fault: 'none' }],
    ['safemode', { fault: 'safemode' }],
    ['refuse-transitions', { fault: 'refuse-transitions' }],
  ])('%s', (body, expected) => {
    expect(parseFault(body)).toEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['{"fault":"explode"}', /unknown fault 'explode'/],
    ['{"fault":"slow"}', /needs ms/],
    ['slow:-5', /needs ms/],
    ['slow:abc', /needs ms/],
    ['{"fault":"slow","ms":1e12}', /needs ms/],
    ['{not json', /not valid JSON/],
    ['[1,2]', /must be an object/],
    ['{"a":1,"b":2}', /needs a "fault" field/],
  ])('refuses %s', (body, message) => {
    expect(() => parseFault(body)).toThrow(FaultRequestError);
    expect(() => parseFault(body)).toThrow(message);
  });

  it('faults add up and "none" clears them', () => {
    let state = applyFault(NO_FAULTS, { fault: 'unhealthy' });
    state = applyFault(state, { fault: 'slow', ms: 100 });
    state = applyFault(state, { fault: 'hang' });
    expect(state).toEqual({ ...NO_FAULTS, unhealthy: true, slowMs: 100, hang: true });
    expect(applyFault(state, { fault: 'none' })).toEqual(NO_FAULTS);
  });
});

describe('parseSimArgs', () => {
  it('the documented command line works as written, with defaults for the rest', () => {
    const parsed = parseSimArgs([
      'namenode',
      '--nameservice',
      'ns1',
      '--namenode-id',
      'nn1',
      '--rpc-port',
      '8020',
      '--http-port',
      '9870',
    ]);
    expect(parsed).toEqual({
      command: 'namenode',
      logLevel: 'info',
      options: {
        nameserviceId: 'ns1',
        namenodeId: 'nn1',
        host: '127.0.0.1',
        rpcPort: 8020,
        httpPort: 9870,
        automaticFailoverEnabled: true,
        safemode: false,
        notBecomeActiveInSafemode: false,
      },
    });
  });

  it('takes every option', () => {
    const parsed = parseSimArgs([
      'namenode',
      '--nameservice=ns2',
      '--namenode-id=nn3',
      '--host',
      '0.0.0.0',
      '--rpc-port',
      '0',
      '--http-port',
      '0',
      '--servicerpc-port',
      '0',
      '--lifeline-port',
      '0',
      '--superuser',
      'hdfs',
      '--supergroup-members',
      'alice, bob',
      '--permissions-enabled',
      'false',
      '--automatic-failover',
      'FALSE',
      '--ha-enabled',
      'true',
      '--startup-delay-ms',
      '1500',
      '--transition-log',
      '/tmp/t.log',
      '--initial-state',
      'observer',
      '--safemode',
      '--not-become-active-in-safemode',
      '--log-level',
      'debug',
    ]);
    expect(parsed).toEqual({
      command: 'namenode',
      logLevel: 'debug',
      options: {
        nameserviceId: 'ns2',
        namenodeId: 'nn3',
        host: '0.0.0.0',
        rpcPort: 0,
        httpPort: 0,
        serviceRpcPort: 0,
        lifelinePort: 0,
        superuser: 'hdfs',
        supergroupMembers: ['alice', 'bob'],
        permissionsEnabled: false,
        automaticFailoverEnabled: false,
        haEnabled: true,
        startupDelayMs: 1500,
        transitionLogPath: '/tmp/t.log',
        initialState: 'OBSERVER',
        safemode: true,
        notBecomeActiveInSafemode: true,
      },
    });
  });

  it.each([
    [['namenode', '--namenode-id', 'nn1'], /--nameservice is required/],
    [['namenode', '--nameservice', 'ns1'], /--namenode-id is required/],
    [['namenode', '--nameservice', 'ns 1', '--namenode-id', 'nn1'], /may only hold/],
    [
      ['namenode', '--nameservice', 'ns1', '--namenode-id', 'nn1', '--rpc-port', '70000'],
      /--rpc-port '70000' is not a port/,
    ],
    [
      ['namenode', '--nameservice', 'ns1', '--namenode-id', 'nn1', '--automatic-failover', 'yes'],
      /must be true or false/,
    ],
    [
      ['namenode', '--nameservice', 'ns1', '--namenode-id', 'nn1', '--initial-state', 'leader'],
      /--initial-state 'leader'/,
    ],
    [['namenode', '--nameservice', 'ns1', '--namenode-id', 'nn1', '--bogus'], /bogus/],
    [['datanode'], /unknown command 'datanode'/],
    [['check-transitions'], /at least one log file/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseSimArgs(argv)).toThrow(SimUsageError);
    expect(() => parseSimArgs(argv)).toThrow(message);
  });

  it('help and check-transitions', () => {
    expect(parseSimArgs([])).toEqual({ command: 'help' });
    expect(parseSimArgs(['check-transitions', 'a.log', 'b.log'])).toEqual({
      command: 'check-transitions',
      files: ['a.log', 'b.log'],
    });
  });
});
