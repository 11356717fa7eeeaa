// The haadmin runner: generic options (-D, -conf), `-ns <id>`, command validation, option
// parsing, the --forcemanual confirmation, dispatch to the command files, and Hadoop's mapping of
// failures to output (Parity: ToolRunner + DFSHAAdmin.runCmd + HAAdmin.run):
//   IllegalArgumentException (bad ids, bad config)  → "Illegal argument: <msg>", -1
//   IOException (RPC refused, remote exceptions)     → "Operation failed: <msg>", -1
// Beyond Hadoop: `status` is accepted for -status, and with --json (read commands) the runner
// also reports these failures as a JSON document on stdout (json-output.ts).
// New commands are added to COMMANDS; nothing else changes.

import { ConfigError, ZkfcError } from '../../errors.js';
import {
  HADOOP_RPC_PROTECTION_KEY,
  HADOOP_SECURITY_AUTHENTICATION_KEY,
  parseAuthentication,
  parseRpcProtection,
  type AuthenticationMethod,
} from '../../config/authentication.js';
import { HadoopConfiguration } from '../../config/hadoop-conf.js';
import type { LocalAddressProbe } from '../../config/topology.js';
import { RpcZkfcClientFactory } from '../../hadoop/zkfc-client.js';
import { HaCallError, type HAServiceClientFactory, type ZkfcClientFactory } from '../../runtime/ports.js';
import { checkHealth } from './check-health.js';
import { FAILED, OK, type HaAdminCommand, type ParsedCommandLine } from './command.js';
import { consoleLine } from './console-log.js';
import { HaAdminContext, IllegalArgumentError, terminalSafeIo, type AddressNaming, type HaAdminIo } from './context.js';
import { explain } from './explain.js';
import { failover } from './failover.js';
import { getAllServiceState } from './get-all-service-state.js';
import { getServiceState } from './get-service-state.js';
import { history } from './history.js';
import { jsonError, printJson } from './json-output.js';
import { pause, resume } from './pause.js';
import { status } from './status.js';
import { fetchZkfcStatusOverHttp, type ZkfcStatusFetcher } from './zkfc-status-client.js';
import { transitionToActive } from './transition-to-active.js';
import { transitionToObserver } from './transition-to-observer.js';
import { transitionToStandby } from './transition-to-standby.js';
import { commandUsageLine, fullUsage, helpLine, type CommandUsage } from './usage.js';

/** Commands not in Hadoop, also accepted without the dash (`haadmin status`, `haadmin pause`). */
const WORD_COMMANDS = new Set(['status', 'pause', 'resume', 'explain', 'history']);

const HELP_USAGE: CommandUsage = { name: '-help', args: '<command>', help: 'Displays help on the specified command' };

export const COMMANDS: readonly HaAdminCommand[] = [
  checkHealth,
  explain,
  failover,
  getAllServiceState,
  getServiceState,
  history,
  pause,
  resume,
  status,
  transitionToActive,
  transitionToObserver,
  transitionToStandby,
];

const USAGES: readonly CommandUsage[] = [...COMMANDS.map((c) => c.usage), HELP_USAGE];

/** Printed after Hadoop's usage text: what this haadmin adds. */
const EXTENSIONS_USAGE = [
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
];

export interface HaAdminDeps {
  /** The configuration from the conf dir (generic -D / -conf options are applied to it here). */
  readonly conf: HadoopConfiguration;
  readonly clients: HAServiceClientFactory;
  /** ZKFCProtocol clients for -failover with automatic failover on. Default: Hadoop IPC (RpcZkfcClientFactory). */
  readonly zkfcClients?: ZkfcClientFactory;
  /** GET /status of a zkfc, for -status. Default: HTTP with undici. */
  readonly fetchZkfcStatus?: ZkfcStatusFetcher;
  readonly io: HaAdminIo;
  readonly naming?: AddressNaming;
  readonly localAddressProbe?: LocalAddressProbe;
  /** Base environment of shell(...) fencing commands run by -failover. Default: process.env. */
  readonly processEnv?: NodeJS.ProcessEnv;
  /**
   * With hadoop.security.authentication=kerberos: the clients to use instead of `clients` and
   * `zkfcClients`, made from the configuration once generic options are applied (the user's ticket
   * cache, as `hdfs haadmin`). Without it, such a configuration is refused.
   */
  readonly kerberosClients?: (
    conf: HadoopConfiguration,
  ) => Promise<{ readonly clients: HAServiceClientFactory; readonly zkfcClients: ZkfcClientFactory }>;
}

/** Run haadmin with its arguments; resolves with Hadoop's status (0 or -1). */
export async function runHaAdmin(argv: readonly string[], deps: HaAdminDeps): Promise<number> {
  // Everything haadmin prints can quote NameNodes, zkfcs and ZooKeeper: no escape sequence of
  // theirs reaches the terminal (see terminalSafeIo).
  const io = terminalSafeIo(deps.io);
  let rest: string[];
  try {
    rest = applyGenericOptions(argv, deps.conf);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof IllegalArgumentError) {
      io.err(`Illegal argument: ${error.message}`);
      return FAILED;
    }
    throw error;
  }
  // What Hadoop logs while loading (deprecated names, ignored overrides of final keys), in its shape.
  for (const warning of deps.conf.warnings()) {
    io.err(
      consoleLine(
        new Date(),
        'WARN',
        warning.kind === 'deprecated' ? 'Configuration.deprecation' : 'conf.Configuration',
        warning.message,
      ),
    );
  }

  if (rest.length < 1) {
    printFullUsage(io);
    return FAILED;
  }

  // Not in Hadoop: "-rm" before the command addresses the ResourceManagers of yarn-site.xml.
  let service: 'resourcemanager' | undefined;
  if (rest[0] === '-rm') {
    service = 'resourcemanager';
    rest = rest.slice(1);
    if (rest.length < 1) {
      io.err('Missing command');
      printFullUsage(io);
      return FAILED;
    }
  }
  // Parity: DFSHAAdmin.runCmd handles "-ns <id>" before the command.
  let nameserviceId: string | undefined;
  if (rest[0] === '-ns') {
    if (rest.length < 2) {
      io.err('Missing nameservice ID');
      printFullUsage(io);
      return FAILED;
    }
    nameserviceId = rest[1];
    rest = rest.slice(2);
    if (rest.length < 1) {
      io.err('Missing command');
      printFullUsage(io);
      return FAILED;
    }
  }

  // `haadmin status` reads better than `-status`; every other command keeps Hadoop's dash rule.
  const name = WORD_COMMANDS.has(rest[0] ?? '') ? `-${rest[0] ?? ''}` : (rest[0] ?? '');
  if (!name.startsWith('-')) {
    io.err(`Bad command '${name}': expected command starting with '-'`);
    printFullUsage(io);
    return FAILED;
  }
  if (name === HELP_USAGE.name) return help(rest, io);
  const command = COMMANDS.find((c) => c.usage.name === name);
  if (!command) {
    io.err(`${name.slice(1)}: Unknown command`);
    printFullUsage(io);
    return FAILED;
  }

  const line = parseCommandLine(rest.slice(1), command.options, command.valueOptions);
  if (line === undefined) {
    io.err(`${name.slice(1)}: incorrect arguments`);
    io.err(commandUsageLine(command.usage));
    return FAILED;
  }

  const json = line.options.has('json');
  let ctx: HaAdminContext;
  try {
    let clients = deps.clients;
    let zkfcClients = deps.zkfcClients;
    if (checkAuthentication(deps.conf) === 'kerberos') {
      if (deps.kerberosClients === undefined)
        throw new ConfigError(
          `${HADOOP_SECURITY_AUTHENTICATION_KEY}: kerberos is not available here`,
          HADOOP_SECURITY_AUTHENTICATION_KEY,
        );
      try {
        ({ clients, zkfcClients } = await deps.kerberosClients(deps.conf));
      } catch (error) {
        // The GSSAPI binding cannot load (koffi, an optional dependency, or MIT's libgssapi_krb5
        // missing): a failed command with what to install, not an uncaught error.
        if (!(error instanceof ZkfcError) || error.code !== 'KERBEROS_UNAVAILABLE') throw error;
        io.err(`Operation failed: Kerberos is not available: ${error.message}`);
        if (json) printJson(io, jsonError('operation-failed', error));
        return FAILED;
      }
    }
    ctx = new HaAdminContext({
      conf: deps.conf,
      clients,
      zkfcClients:
        zkfcClients ??
        new RpcZkfcClientFactory({ connectTimeoutMs: deps.conf.getInt('ipc.client.connect.timeout', 20_000) }),
      fetchZkfcStatus: deps.fetchZkfcStatus ?? fetchZkfcStatusOverHttp,
      io,
      ...(nameserviceId !== undefined ? { nameserviceId } : {}),
      ...(service !== undefined ? { service } : {}),
      ...(deps.naming ? { naming: deps.naming } : {}),
      ...(deps.localAddressProbe ? { localAddressProbe: deps.localAddressProbe } : {}),
      ...(deps.processEnv ? { processEnv: deps.processEnv } : {}),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`Illegal argument: ${error.message}`);
    if (json) printJson(io, jsonError('illegal-argument', error));
    return FAILED;
  }
  // Parity: RMAdminCLI has no -transitionToObserver (ResourceManagers have no observer state).
  if (ctx.service === 'resourcemanager' && command.usage.name === '-transitionToObserver') {
    io.err(`${name.slice(1)}: Unknown command`);
    printFullUsage(io);
    ctx.closeAll();
    return FAILED;
  }
  try {
    if (line.options.has('forcemanual')) {
      if (!(await ctx.confirmForceManual())) {
        ctx.log('ERROR', 'Aborted');
        return FAILED;
      }
      // Instruct the NameNodes to honour this request even if they run automatic failover.
      ctx.requestSource = 'REQUEST_BY_USER_FORCED';
    }
    return await command.run(ctx, line);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof IllegalArgumentError) {
      io.err(`Illegal argument: ${error.message}`);
      if (json) printJson(io, jsonError('illegal-argument', error));
      return FAILED;
    }
    // An IOException in Hadoop's sense: the NameNode or ZKFC answered with an error or was not reached.
    if (error instanceof HaCallError) {
      io.err(`Operation failed: ${error.message}`);
      if (json) printJson(io, jsonError('operation-failed', error));
      return FAILED;
    }
    throw error;
  } finally {
    ctx.closeAll();
  }
}

/** hadoop.security.authentication and hadoop.rpc.protection, refused as the daemon refuses them. */
function checkAuthentication(conf: HadoopConfiguration): AuthenticationMethod {
  const refuse = (key: string, problem: string): never => {
    const source = conf.source(key);
    throw new ConfigError(`${problem}${source !== undefined ? ` (from ${source})` : ''}`, key, source);
  };
  const method = parseAuthentication(conf.get(HADOOP_SECURITY_AUTHENTICATION_KEY));
  if (typeof method !== 'string') return refuse(HADOOP_SECURITY_AUTHENTICATION_KEY, method.problem);
  const protection = parseRpcProtection(conf.get(HADOOP_RPC_PROTECTION_KEY));
  if (!Array.isArray(protection)) refuse(HADOOP_RPC_PROTECTION_KEY, protection.problem);
  return method;
}

/** The exit code of the process for a status: -1 → 255, as the JVM's System.exit(-1). */
export function exitCodeFor(status: number): number {
  return status & 0xff;
}

function printFullUsage(io: HaAdminIo): void {
  for (const line of [...fullUsage(USAGES), ...EXTENSIONS_USAGE]) io.err(line);
}

/** Parity: HAAdmin.help(argv, USAGE_DFS_MERGED). */
function help(argv: readonly string[], io: HaAdminIo): number {
  if (argv.length === 1) {
    for (const line of [...fullUsage(USAGES), ...EXTENSIONS_USAGE]) io.out(line);
    return OK;
  }
  if (argv.length !== 2) {
    io.err(commandUsageLine(HELP_USAGE));
    return FAILED;
  }
  let name = argv[1] ?? '';
  if (!name.startsWith('-')) name = `-${name}`;
  const usage = USAGES.find((u) => u.name === name);
  if (!usage) {
    io.err(`${name}: Unknown command`);
    printFullUsage(io);
    return FAILED;
  }
  io.out(helpLine(usage));
  return OK;
}

/**
 * GnuParser semantics for one command's tokens: "-opt" and "--opt" are options when the command
 * accepts them, "--" ends option parsing, any other token starting with '-' is an unrecognized
 * option (→ undefined, "incorrect arguments"), everything else is a positional argument.
 */
export function parseCommandLine(
  tokens: readonly string[],
  accepted: readonly string[],
  valueOptions: readonly string[] = [],
): ParsedCommandLine | undefined {
  const args: string[] = [];
  const options = new Set<string>();
  const values = new Map<string, string>();
  let optionCount = 0;
  let onlyArgs = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (onlyArgs || !token.startsWith('-') || token === '-') {
      args.push(token);
      continue;
    }
    if (token === '--') {
      onlyArgs = true;
      continue;
    }
    const optionName = token.replace(/^--?/, '');
    if (!accepted.includes(optionName)) return undefined;
    options.add(optionName);
    optionCount++;
    if (valueOptions.includes(optionName)) {
      const value = tokens[i + 1];
      if (value === undefined) return undefined;
      values.set(optionName, value);
      i++;
    }
  }
  return { args, options, optionCount, values };
}

/**
 * Hadoop's GenericOptionsParser subset, in front of the command: `-D key=value`, `-Dkey=value`
 * and `-conf <file>`. Returns the remaining arguments. Parity: parsing stops at the first
 * argument that is not a generic option.
 */
export function applyGenericOptions(argv: readonly string[], conf: HadoopConfiguration): string[] {
  let i = 0;
  while (i < argv.length) {
    const token = argv[i] ?? '';
    if (token === '-D' || (token.startsWith('-D') && token.length > 2)) {
      const assignment = token === '-D' ? argv[i + 1] : token.slice(2);
      if (assignment === undefined) throw new IllegalArgumentError('-D needs property=value');
      const eq = assignment.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentError(`-D needs property=value, got '${assignment}'`);
      conf.set(assignment.slice(0, eq).trim(), assignment.slice(eq + 1));
      i += token === '-D' ? 2 : 1;
    } else if (token === '-conf') {
      const file = argv[i + 1];
      if (file === undefined) throw new IllegalArgumentError('-conf needs a file');
      conf.addResource(file);
      i += 2;
    } else {
      break;
    }
  }
  return argv.slice(i);
}
