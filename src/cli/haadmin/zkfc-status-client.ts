// Reads a zkfc daemon's GET /status (the ZkfcStatus JSON of src/observability/status.ts) over
// HTTP with undici, for `haadmin -status`. Everything is bounded: connect, headers and body
// timeouts plus an overall deadline, and a cap on the body size. The answer comes from the
// network, so it is checked field by field; anything malformed is a ZkfcStatusError naming the
// address and the field, never a crash.

import { Client } from 'undici';
import type { ActiveNodeInfo, ElectorState, HAServiceState, HealthState, HostPort } from '../../core/types.js';
import { ELECTOR_STATES, HA_SERVICE_STATES, HEALTH_STATES } from '../../core/types.js';
import { ZkfcError, errorMessage } from '../../errors.js';
import type {
  ClusterViewStatus,
  AntiFlapStatus,
  FencingReadiness,
  LastFailoverStatus,
  NameNodeHttpStatus,
  ZkConnectionState,
  ZkfcStatus,
  ZooKeeperProblemStatus,
  ZooKeeperRetryStatus,
  MaintenancePauseStatus,
  ReadinessStatus,
} from '../../observability/status.js';
import { FAILOVER_REASONS, ZK_CONNECTION_STATES } from '../../observability/status.js';
import { NAMENODE_HTTP_FAILURE_KINDS } from '../../runtime/ports.js';

/** Fetches one zkfc's status; rejects with ZkfcStatusError. */
export type ZkfcStatusFetcher = (address: HostPort, timeoutMs: number) => Promise<ZkfcStatus>;

/** A status that could not be read: unreachable, refused, not JSON, or not a ZkfcStatus. */
export class ZkfcStatusError extends ZkfcError {
  readonly code = 'ZKFC_STATUS_UNAVAILABLE';
  constructor(
    message: string,
    /** "host:port" of the zkfc's HTTP listener. */
    readonly address: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Bound on the /status body: a real snapshot is a few KiB. */
export const ZKFC_STATUS_MAX_BYTES = 1024 * 1024;

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** GET http://<address>/status with undici; one connection, closed afterwards. */
export const fetchZkfcStatusOverHttp: ZkfcStatusFetcher = async (address, timeoutMs) => {
  const where = formatHostPort(address);
  const client = new Client(`http://${where}`, {
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxResponseSize: ZKFC_STATUS_MAX_BYTES,
    keepAliveTimeout: 1,
  });
  try {
    let text: string;
    try {
      const response = await client.request({
        path: '/status',
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.body.text();
      if (response.statusCode !== 200) {
        throw new ZkfcStatusError(`GET /status on ${where} answered HTTP ${response.statusCode}`, where);
      }
    } catch (cause) {
      if (cause instanceof ZkfcStatusError) throw cause;
      throw new ZkfcStatusError(`GET /status on ${where} failed: ${describeHttpError(cause, timeoutMs)}`, where, {
        cause,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new ZkfcStatusError(`GET /status on ${where} did not return JSON: ${errorMessage(cause)}`, where, {
        cause,
      });
    }
    return parseZkfcStatus(json, where);
  } finally {
    client.destroy().catch(() => undefined);
  }
};

function describeHttpError(cause: unknown, timeoutMs: number): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
    const nested = cause.cause instanceof Error ? cause.cause.message : undefined;
    const text = typeof code === 'string' && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
    return nested !== undefined && !text.includes(nested) ? `${text} (${nested})` : text;
  }
  return String(cause);
}

// ---------------------------------------------------------------------------------------------
// Validation

class FieldError extends Error {}

type JsonObject = Record<string, unknown>;

function object(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FieldError(`${field} is not an object`);
  return value as JsonObject;
}

function string(o: JsonObject, key: string, field: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw new FieldError(`${field}.${key} is not a string`);
  return value;
}

function nullableString(o: JsonObject, key: string, field: string): string | null {
  return o[key] === null || o[key] === undefined ? null : string(o, key, field);
}

function number(o: JsonObject, key: string, field: string): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new FieldError(`${field}.${key} is not a number`);
  return value;
}

function oneOf<T extends string>(o: JsonObject, key: string, field: string, allowed: readonly T[]): T {
  const value = o[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new FieldError(`${field}.${key} is ${JSON.stringify(value)?.slice(0, 60)}, not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function activeNodeInfo(value: unknown, field: string): ActiveNodeInfo | null {
  if (value === null || value === undefined) return null;
  const o = object(value, field);
  return {
    nameserviceId: string(o, 'nameserviceId', field),
    namenodeId: string(o, 'namenodeId', field),
    hostname: string(o, 'hostname', field),
    port: number(o, 'port', field),
    zkfcPort: number(o, 'zkfcPort', field),
  };
}

function fencing(value: unknown): FencingReadiness[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FieldError('status.fencing is not an array');
  return value.slice(0, 64).map((entry, index) => {
    const field = `status.fencing[${index}]`;
    const o = object(entry, field);
    if (typeof o['ready'] !== 'boolean') throw new FieldError(`${field}.ready is not a boolean`);
    return {
      method: string(o, 'method', field),
      ready: o['ready'],
      detail: string(o, 'detail', field),
      checkedAt: nullableString(o, 'checkedAt', field),
    };
  });
}

function lastFailover(value: unknown): LastFailoverStatus | null {
  if (value === null || value === undefined) return null;
  const field = 'status.lastFailover';
  const o = object(value, field);
  const phasesObject = o['phases'] === undefined ? {} : object(o['phases'], `${field}.phases`);
  const phase = (key: string): number => (typeof phasesObject[key] === 'number' ? phasesObject[key] : 0);
  return {
    at: string(o, 'at', field),
    from: nullableString(o, 'from', field),
    to: string(o, 'to', field),
    reason: oneOf(o, 'reason', field, FAILOVER_REASONS),
    durationMs: number(o, 'durationMs', field),
    phases: {
      detectionMs: phase('detectionMs'),
      electionMs: phase('electionMs'),
      fencingMs: phase('fencingMs'),
      promotionMs: phase('promotionMs'),
    },
  };
}

function zookeeperProblems(value: unknown): ZooKeeperProblemStatus[] {
  // Absent from zkfcs older than this field: nothing reported.
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FieldError('status.zookeeperProblems is not an array');
  return value.slice(0, 16).map((entry, index) => {
    const field = `status.zookeeperProblems[${index}]`;
    const o = object(entry, field);
    return {
      problem: string(o, 'problem', field),
      detail: string(o, 'detail', field),
      clear: string(o, 'clear', field),
    };
  });
}

function zookeeperRetry(value: unknown): ZooKeeperRetryStatus | null {
  // Absent from zkfcs older than this field, null while connected.
  if (value === undefined || value === null) return null;
  const field = 'status.zookeeperRetry';
  const o = object(value, field);
  return {
    failures: number(o, 'failures', field),
    reason: string(o, 'reason', field),
    since: nullableString(o, 'since', field),
    nextAttemptAt: nullableString(o, 'nextAttemptAt', field),
  };
}

function antiFlap(value: unknown): AntiFlapStatus | null {
  // Absent from zkfcs older than this field.
  if (value === undefined || value === null) return null;
  const field = 'status.antiFlap';
  const o = object(value, field);
  const h =
    o['holdingBack'] === null || o['holdingBack'] === undefined
      ? null
      : object(o['holdingBack'], `${field}.holdingBack`);
  const e =
    o['lastHoldBackEnded'] === null || o['lastHoldBackEnded'] === undefined
      ? null
      : object(o['lastHoldBackEnded'], `${field}.lastHoldBackEnded`);
  const holdField = `${field}.holdingBack`;
  const endField = `${field}.lastHoldBackEnded`;
  return {
    maxFailovers: number(o, 'maxFailovers', field),
    windowMs: number(o, 'windowMs', field),
    failoversInWindow: number(o, 'failoversInWindow', field),
    lastLockHolderChange: nullableString(o, 'lastLockHolderChange', field),
    heldBackTotal: number(o, 'heldBackTotal', field),
    holdingBack:
      h === null
        ? null
        : {
            since: nullableString(h, 'since', holdField),
            reason: string(h, 'reason', holdField),
            healthReason: string(h, 'healthReason', holdField),
            failoversInWindow: number(h, 'failoversInWindow', holdField),
            releaseAt: nullableString(h, 'releaseAt', holdField),
          },
    lastHoldBackEnded:
      e === null
        ? null
        : {
            at: nullableString(e, 'at', endField),
            reason: string(e, 'reason', endField),
            heldBackMs: number(e, 'heldBackMs', endField),
          },
  };
}

function boolean(o: JsonObject, key: string, field: string): boolean {
  const value = o[key];
  if (typeof value !== 'boolean') throw new FieldError(`${field}.${key} is not a boolean`);
  return value;
}

function nullableBoolean(o: JsonObject, key: string, field: string): boolean | null {
  const value = o[key];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'boolean') throw new FieldError(`${field}.${key} is not a boolean`);
  return value;
}

function namenodeHttp(value: unknown): NameNodeHttpStatus | null {
  // Absent from zkfcs older than this field, null when the view is not read.
  if (value === undefined || value === null) return null;
  const field = 'status.namenodeHttp';
  const o = object(value, field);
  const viewField = `${field}.view`;
  const v = o['view'] === null || o['view'] === undefined ? null : object(o['view'], viewField);
  const e =
    o['lastError'] === null || o['lastError'] === undefined ? null : object(o['lastError'], `${field}.lastError`);
  return {
    url: string(o, 'url', field),
    up: boolean(o, 'up', field),
    view:
      v === null
        ? null
        : {
            state: oneOf<HAServiceState>(v, 'state', viewField, HA_SERVICE_STATES),
            nnRole: string(v, 'nnRole', viewField),
            hostAndPort: string(v, 'hostAndPort', viewField),
            lastHATransitionTime: nullableString(v, 'lastHATransitionTime', viewField),
            securityEnabled: boolean(v, 'securityEnabled', viewField),
            namesystemHAState: oneOf<HAServiceState>(v, 'namesystemHAState', viewField, HA_SERVICE_STATES),
            millisSinceLastLoadedEdits: number(v, 'millisSinceLastLoadedEdits', viewField),
            lastWrittenTransactionId: number(v, 'lastWrittenTransactionId', viewField),
            safemode: string(v, 'safemode', viewField),
            inSafemode: boolean(v, 'inSafemode', viewField),
            lastAppliedOrWrittenTxId: number(v, 'lastAppliedOrWrittenTxId', viewField),
            mostRecentCheckpointTxId: number(v, 'mostRecentCheckpointTxId', viewField),
            isActive: boolean(v, 'isActive', viewField),
          },
    readAt: nullableString(o, 'readAt', field),
    ageMs: o['ageMs'] === null || o['ageMs'] === undefined ? null : number(o, 'ageMs', field),
    isActiveMismatch: boolean(o, 'isActiveMismatch', field),
    lastError:
      e === null
        ? null
        : {
            kind: oneOf(e, 'kind', `${field}.lastError`, NAMENODE_HTTP_FAILURE_KINDS),
            message: string(e, 'message', `${field}.lastError`),
            at: nullableString(e, 'at', `${field}.lastError`),
          },
  };
}

function maintenancePause(value: unknown): MaintenancePauseStatus | null {
  if (value === null) return null;
  const field = 'status.maintenancePause';
  const o = object(value, field);
  return {
    reason: string(o, 'reason', field),
    by: string(o, 'by', field),
    since: nullableString(o, 'since', field),
    until: nullableString(o, 'until', field),
  };
}

function strings(o: JsonObject, key: string, field: string): string[] {
  const value = o[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new FieldError(`${field}.${key} is not an array of strings`);
  return value.slice(0, 64);
}

function readiness(value: unknown): ReadinessStatus | null {
  if (value === null) return null;
  const field = 'status.readiness';
  const o = object(value, field);
  return {
    ready: boolean(o, 'ready', field),
    escape: boolean(o, 'escape', field),
    summary: string(o, 'summary', field),
    blockers: strings(o, 'blockers', field),
    candidacyDelayMs: number(o, 'candidacyDelayMs', field),
    standbysAhead: strings(o, 'standbysAhead', field),
    lagTxns: o['lagTxns'] === null ? null : number(o, 'lagTxns', field),
  };
}

function clusterView(value: unknown): ClusterViewStatus | null {
  // Absent from zkfcs older than the cluster view, null when it is off.
  if (value === undefined || value === null) return null;
  const field = 'status.cluster';
  const o = object(value, field);
  const active = o['activeNamenodes'];
  if (!Array.isArray(active) || !active.every((id) => typeof id === 'string'))
    throw new FieldError(`${field}.activeNamenodes is not an array of strings`);
  const namenodes = o['namenodes'];
  if (!Array.isArray(namenodes)) throw new FieldError(`${field}.namenodes is not an array`);
  return {
    intervalMs: number(o, 'intervalMs', field),
    checkedAt: nullableString(o, 'checkedAt', field),
    roundDurationMs: o['roundDurationMs'] === null ? null : number(o, 'roundDurationMs', field),
    activeNamenodes: active.slice(0, 64),
    secondsWithoutActive: number(o, 'secondsWithoutActive', field),
    lastActiveSeenAt: nullableString(o, 'lastActiveSeenAt', field),
    namenodes: namenodes.slice(0, 64).map((entry, index) => {
      const where = `${field}.namenodes[${index}]`;
      const nn = object(entry, where);
      if (typeof nn['local'] !== 'boolean') throw new FieldError(`${where}.local is not a boolean`);
      return {
        namenodeId: string(nn, 'namenodeId', where),
        address: string(nn, 'address', where),
        local: nn['local'],
        state: nn['state'] === null ? null : oneOf<HAServiceState>(nn, 'state', where, HA_SERVICE_STATES),
        readyToBecomeActive: nullableBoolean(nn, 'readyToBecomeActive', where),
        notReadyReason: nullableString(nn, 'notReadyReason', where),
        health: oneOf<HealthState>(nn, 'health', where, HEALTH_STATES),
        // Absent from a zkfc older than the readiness gate.
        lastAppliedOrWrittenTxId:
          nn['lastAppliedOrWrittenTxId'] === undefined || nn['lastAppliedOrWrittenTxId'] === null
            ? null
            : number(nn, 'lastAppliedOrWrittenTxId', where),
        error: nullableString(nn, 'error', where),
      };
    }),
  };
}

/** Check a /status answer field by field; `where` names the source in errors. */
export function parseZkfcStatus(json: unknown, where: string): ZkfcStatus {
  try {
    const o = object(json, 'status');
    const haState =
      o['haState'] === null || o['haState'] === undefined
        ? null
        : oneOf<HAServiceState>(o, 'haState', 'status', HA_SERVICE_STATES);
    return {
      // Absent from daemons older than ResourceManager support: they drive NameNodes.
      service:
        o['service'] === undefined
          ? 'namenode'
          : oneOf(o, 'service', 'status', ['namenode', 'resourcemanager'] as const),
      nameservice: string(o, 'nameservice', 'status'),
      namenode: string(o, 'namenode', 'status'),
      namenodeAddress: string(o, 'namenodeAddress', 'status'),
      haState,
      healthState: oneOf<HealthState>(o, 'healthState', 'status', HEALTH_STATES),
      electorState: oneOf<ElectorState>(o, 'electorState', 'status', ELECTOR_STATES),
      zkConnectionState: oneOf<ZkConnectionState>(o, 'zkConnectionState', 'status', ZK_CONNECTION_STATES),
      zkSessionId: nullableString(o, 'zkSessionId', 'status'),
      lockHolder: activeNodeInfo(o['lockHolder'], 'status.lockHolder'),
      breadcrumb: activeNodeInfo(o['breadcrumb'], 'status.breadcrumb'),
      fencing: fencing(o['fencing']),
      cluster: clusterView(o['cluster']),
      lastFailover: lastFailover(o['lastFailover']),
      cededUntil: nullableString(o, 'cededUntil', 'status'),
      zookeeperProblems: zookeeperProblems(o['zookeeperProblems']),
      zookeeperRetry: zookeeperRetry(o['zookeeperRetry']),
      ...(o['maintenancePause'] === undefined ? {} : { maintenancePause: maintenancePause(o['maintenancePause']) }),
      // Absent from a zkfc older than the readiness gate.
      ...(o['readiness'] === undefined ? {} : { readiness: readiness(o['readiness']) }),
      namenodeHttp: namenodeHttp(o['namenodeHttp']),
      antiFlap: antiFlap(o['antiFlap']),
      uptimeSeconds: typeof o['uptimeSeconds'] === 'number' ? o['uptimeSeconds'] : 0,
      version: typeof o['version'] === 'string' ? o['version'] : '',
    };
  } catch (cause) {
    if (cause instanceof FieldError)
      throw new ZkfcStatusError(`GET /status on ${where}: not a zkfc status: ${cause.message}`, where, { cause });
    throw cause;
  }
}
