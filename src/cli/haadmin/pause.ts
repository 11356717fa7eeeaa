// haadmin -pause / -resume (also `pause`, `resume`; not in Hadoop): the maintenance pause of a
// nameservice (README "Maintenance pause"). -pause writes the pause znode beside the elector's
// (src/runtime/maintenance-pause.ts) with its end time and reason; every zkfc then makes no
// transition and fences nothing until -resume deletes it or the time runs out. Before writing,
// every NameNode's controller must answer /status as a zkfc that knows pauses: a controller that
// does not (Hadoop's ZKFC, an older zkfc, one that is down) would still fail over, so the pause
// is refused, naming it.

import { hostname, userInfo } from 'node:os';
import { settingsFromConf } from '../../config/load.js';
import { errorMessage } from '../../errors.js';
import {
  PAUSE_REASON_MAX_CHARS,
  encodePause,
  pausePath,
  type MaintenancePause,
} from '../../runtime/maintenance-pause.js';
import type { ZkSession } from '../../runtime/ports.js';
import { clusterStatusEndpoints } from './cluster-status.js';
import { nameserviceOf, openNameserviceZooKeeper } from './nameservice-zk.js';
import { formatHostPort } from './zkfc-status-client.js';
import { FAILED, OK, incorrectArgumentCount, type HaAdminCommand } from './command.js';
import { IllegalArgumentError, type HaAdminContext } from './context.js';
import { commandUsageLine, type CommandUsage } from './usage.js';

const pauseUsage: CommandUsage = {
  name: '-pause',
  args: '--ttl <time> --reason <text>',
  help:
    'Pauses automatic failover of the nameservice for maintenance: every zkfc keeps monitoring\n' +
    'and the active keeps the lock, but none makes a transition or fences, until -resume or the\n' +
    '<time> (e.g. 90s, 30m, 2h; at most zkfc.pause.max-ttl.ms) runs out. Refused unless every\n' +
    'NameNode\'s controller is a zkfc that answers /status. Not in Hadoop; also "pause".',
};

const resumeUsage: CommandUsage = {
  name: '-resume',
  args: undefined,
  help: 'Ends the maintenance pause of the nameservice at once. Not in Hadoop; also "resume".',
};

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30m" → 1800000; a plain number is seconds. Throws IllegalArgumentError naming --ttl. */
export function parseTtlMs(text: string, maxTtlMs: number): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(text.trim());
  if (match === null)
    throw new IllegalArgumentError(`--ttl '${text}' is not a duration (a number with ms, s, m, h or d, e.g. 30m)`);
  const ms = Number(match[1]) * (UNITS_MS[match[2] ?? 's'] ?? 1000);
  if (ms <= 0) throw new IllegalArgumentError(`--ttl '${text}' must be longer than 0`);
  if (ms > maxTtlMs)
    throw new IllegalArgumentError(
      `--ttl '${text}' is longer than zkfc.pause.max-ttl.ms (${maxTtlMs} ms); pause again when it ends`,
    );
  return ms;
}

/** Connect to the nameservice's ZooKeeper as the zkfcs do; returns the session and the pause znode. */
async function openZooKeeper(ctx: HaAdminContext, nameserviceId: string) {
  const zk = await openNameserviceZooKeeper(ctx, nameserviceId);
  return { ...zk, path: pausePath(zk.workingDir) };
}

/** Every NameNode's controller must know pauses; returns why not, or undefined. */
async function controllersRefusing(ctx: HaAdminContext, nameserviceId: string): Promise<string[]> {
  const endpoints = clusterStatusEndpoints(ctx.conf, nameserviceId);
  const answers = await Promise.all(
    endpoints.map(async (endpoint) => {
      const where = formatHostPort(endpoint.zkfcHttpAddress);
      try {
        const status = await ctx.fetchZkfcStatus(endpoint.zkfcHttpAddress, ctx.timeouts.otherNodeCheckMs);
        if (status.maintenancePause === undefined)
          return `the controller of ${endpoint.namenodeId} (${where}) does not know maintenance pauses (an older zkfc)`;
        return undefined;
      } catch (error) {
        return (
          `the controller of ${endpoint.namenodeId} did not answer at ${where} (${errorMessage(error)}): ` +
          "Hadoop's ZKFC, or a zkfc that is down, would not honour the pause"
        );
      }
    }),
  );
  return answers.filter((answer): answer is string => answer !== undefined);
}

export const pause: HaAdminCommand = {
  usage: pauseUsage,
  options: ['ttl', 'reason'],
  valueOptions: ['ttl', 'reason'],
  async run(ctx, line) {
    if (line.args.length !== 0) return incorrectArgumentCount(ctx, pauseUsage, commandUsageLine(pauseUsage));
    const ttlText = line.values.get('ttl');
    const reason = line.values.get('reason')?.trim();
    if (ttlText === undefined || reason === undefined || reason === '') {
      ctx.io.err('pause: --ttl <time> and --reason <text> are required');
      ctx.io.err(commandUsageLine(pauseUsage));
      return FAILED;
    }
    if (reason.length > PAUSE_REASON_MAX_CHARS)
      throw new IllegalArgumentError(`--reason is longer than ${PAUSE_REASON_MAX_CHARS} characters`);
    const nameserviceId = await nameserviceOf(ctx, 'pause and resume');
    const ttlMs = parseTtlMs(ttlText, settingsFromConf(ctx.conf, nameserviceId).pause.maxTtlMs);
    const refusals = await controllersRefusing(ctx, nameserviceId);
    if (refusals.length > 0) {
      ctx.io.err(`Refusing to pause automatic failover of ${nameserviceId}:`);
      for (const refusal of refusals) ctx.io.err(`  ${refusal}`);
      return FAILED;
    }
    const zk = await openZooKeeper(ctx, nameserviceId);
    try {
      const atWallMs = Date.now();
      const record: MaintenancePause = {
        atWallMs,
        untilWallMs: atWallMs + ttlMs,
        reason,
        by: `${safeUser()}@${hostname()}`,
      };
      await writePause(zk.session, zk.path, encodePause(record), zk.acl, nameserviceId);
      ctx.io.out(
        `Automatic failover of ${nameserviceId} paused until ${new Date(record.untilWallMs).toISOString()} ` +
          `by ${record.by}: ${reason}`,
      );
      return OK;
    } finally {
      await zk.session.close();
    }
  },
};

export const resume: HaAdminCommand = {
  usage: resumeUsage,
  options: [],
  async run(ctx, line) {
    if (line.args.length !== 0) return incorrectArgumentCount(ctx, resumeUsage, commandUsageLine(resumeUsage));
    const nameserviceId = await nameserviceOf(ctx, 'pause and resume');
    const zk = await openZooKeeper(ctx, nameserviceId);
    try {
      const result = await zk.session.delete(zk.path, -1);
      if (result.code === 'NONODE') {
        ctx.io.out(`Automatic failover of ${nameserviceId} was not paused`);
        return OK;
      }
      if (result.code !== 'OK')
        throw new IllegalArgumentError(`cannot delete ${zk.path}: ${result.code} ${result.message}`);
      ctx.io.out(`Automatic failover of ${nameserviceId} resumed`);
      return OK;
    } finally {
      await zk.session.close();
    }
  },
};

async function writePause(
  session: ZkSession,
  path: string,
  data: Uint8Array,
  acl: Parameters<ZkSession['create']>[2],
  nameserviceId: string,
): Promise<void> {
  const created = await session.create(path, data, acl, 'PERSISTENT');
  if (created.code === 'OK') return;
  if (created.code === 'NODEEXISTS') {
    const set = await session.setData(path, data, -1);
    if (set.code === 'OK') return;
    throw new IllegalArgumentError(`cannot write ${path}: ${set.code} ${set.message}`);
  }
  if (created.code === 'NONODE')
    throw new IllegalArgumentError(
      `the election znode of ${nameserviceId} does not exist (${path}): run zkfc -formatZK first`,
    );
  throw new IllegalArgumentError(`cannot write ${path}: ${created.code} ${created.message}`);
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
