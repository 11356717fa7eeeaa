// Command-line parsing of `zkfc-sim`, kept apart from the entry point so tests can call it.
//   zkfc-sim namenode --nameservice ns1 --namenode-id nn1 [--rpc-port 8020] [--http-port 9870]
//       [--host 127.0.0.1] [--servicerpc-port N] [--lifeline-port N] [--superuser USER]
//       [--supergroup-members a,b] [--permissions-enabled true|false]
//       [--automatic-failover true|false] [--ha-enabled true|false] [--startup-delay-ms N]
//       [--transition-log PATH] [--initial-state standby|active|observer|initializing]
//       [--safemode] [--not-become-active-in-safemode] [--log-level info]
//   zkfc-sim check-transitions LOG...   exit 1 if two NameNodes of a nameservice overlapped as active

import { parseArgs } from 'node:util';
import { HA_SERVICE_STATES, type HAServiceState } from '../../src/core/types.js';
import { ZkfcError } from '../../src/errors.js';
import type { NameNodeSimulatorOptions } from './sim-namenode.js';

export class SimUsageError extends ZkfcError<'SIM_USAGE'> {
  readonly code = 'SIM_USAGE';
}

export const SIM_USAGE = `Usage:
  zkfc-sim namenode --nameservice NS --namenode-id NN [--rpc-port 8020] [--http-port 9870]
      [--host 127.0.0.1] [--servicerpc-port N] [--lifeline-port N]
      [--superuser USER] [--supergroup-members a,b] [--permissions-enabled true|false]
      [--automatic-failover true|false] [--ha-enabled true|false]
      [--startup-delay-ms N] [--transition-log PATH]
      [--initial-state standby|active|observer|initializing]
      [--safemode] [--not-become-active-in-safemode] [--log-level LEVEL]
  zkfc-sim check-transitions LOG...`;

export type SimCommand =
  | { readonly command: 'namenode'; readonly options: NameNodeSimulatorOptions; readonly logLevel: string }
  | { readonly command: 'check-transitions'; readonly files: readonly string[] }
  | { readonly command: 'help' };

export function parseSimArgs(argv: readonly string[]): SimCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help')
    return { command: 'help' };
  if (command === 'check-transitions') {
    if (rest.length === 0) throw new SimUsageError('check-transitions needs at least one log file');
    return { command: 'check-transitions', files: rest };
  }
  if (command !== 'namenode') throw new SimUsageError(`unknown command '${command}'`);

  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: {
        nameservice: { type: 'string' },
        'namenode-id': { type: 'string' },
        host: { type: 'string' },
        'rpc-port': { type: 'string' },
        'http-port': { type: 'string' },
        'servicerpc-port': { type: 'string' },
        'lifeline-port': { type: 'string' },
        superuser: { type: 'string' },
        'supergroup-members': { type: 'string' },
        'permissions-enabled': { type: 'string' },
        'automatic-failover': { type: 'string' },
        'ha-enabled': { type: 'string' },
        'startup-delay-ms': { type: 'string' },
        'transition-log': { type: 'string' },
        'initial-state': { type: 'string' },
        safemode: { type: 'boolean' },
        'not-become-active-in-safemode': { type: 'boolean' },
        'log-level': { type: 'string' },
      },
    });
  } catch (error) {
    throw new SimUsageError((error as Error).message);
  }
  const v = parsed.values;
  const nameserviceId = required(v.nameservice, '--nameservice');
  const namenodeId = required(v['namenode-id'], '--namenode-id');
  const options: NameNodeSimulatorOptions = {
    nameserviceId,
    namenodeId,
    host: v.host ?? '127.0.0.1',
    rpcPort: port(v['rpc-port'], '--rpc-port') ?? 8020,
    httpPort: port(v['http-port'], '--http-port') ?? 9870,
    ...optional('serviceRpcPort', port(v['servicerpc-port'], '--servicerpc-port')),
    ...optional('lifelinePort', port(v['lifeline-port'], '--lifeline-port')),
    ...optional('superuser', v.superuser),
    ...optional(
      'supergroupMembers',
      v['supergroup-members']
        ?.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
    ...optional('permissionsEnabled', bool(v['permissions-enabled'], '--permissions-enabled')),
    automaticFailoverEnabled: bool(v['automatic-failover'], '--automatic-failover') ?? true,
    ...optional('haEnabled', bool(v['ha-enabled'], '--ha-enabled')),
    ...optional('startupDelayMs', nonNegativeInt(v['startup-delay-ms'], '--startup-delay-ms')),
    ...optional('transitionLogPath', v['transition-log']),
    ...optional('initialState', state(v['initial-state'])),
    safemode: v.safemode ?? false,
    notBecomeActiveInSafemode: v['not-become-active-in-safemode'] ?? false,
  };
  return { command: 'namenode', options, logLevel: v['log-level'] ?? 'info' };
}

function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new SimUsageError(`${flag} is required`);
  if (!/^[A-Za-z0-9_-]+$/.test(value))
    throw new SimUsageError(`${flag} '${value}' may only hold letters, digits, '-' and '_'`);
  return value;
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = nonNegativeInt(value, flag);
  if (n === undefined || n > 65535) throw new SimUsageError(`${flag} '${value}' is not a port (0-65535)`);
  return n;
}

function nonNegativeInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value.trim())) throw new SimUsageError(`${flag} '${value}' is not a non-negative integer`);
  return Number(value.trim());
}

function bool(value: string | undefined, flag: string): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new SimUsageError(`${flag} '${value}' must be true or false`);
}

function state(value: string | undefined): HAServiceState | undefined {
  if (value === undefined) return undefined;
  const upper = value.trim().toUpperCase();
  if (!(HA_SERVICE_STATES as readonly string[]).includes(upper)) {
    throw new SimUsageError(
      `--initial-state '${value}' must be one of ${HA_SERVICE_STATES.map((s) => s.toLowerCase()).join(', ')}`,
    );
  }
  return upper as HAServiceState;
}
