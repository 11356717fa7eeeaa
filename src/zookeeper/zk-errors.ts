// ZooKeeper result codes: node-zookeeper-client's numeric exception codes (the same numbers as
// Java's KeeperException.Code) mapped to the ZkErrorCode names of the ports, plus the typed error
// the synchronous helpers (-formatZK: parent-znode.ts) throw. The adapter itself never throws for
// an operating error; it resolves ZkOpResult values built here.

import type { ZkErrorCode } from '../runtime/ports.js';
import { ZkfcError, errorMessage } from '../errors.js';

/** KeeperException.Code numbers (node-zookeeper-client lib/Exception.js uses the same values). */
export const KEEPER_CODES = {
  OK: 0,
  SYSTEM_ERROR: -1,
  RUNTIME_INCONSISTENCY: -2,
  DATA_INCONSISTENCY: -3,
  CONNECTION_LOSS: -4,
  MARSHALLING_ERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATION_TIMEOUT: -7,
  BAD_ARGUMENTS: -8,
  API_ERROR: -100,
  NO_NODE: -101,
  NO_AUTH: -102,
  BAD_VERSION: -103,
  NO_CHILDREN_FOR_EPHEMERALS: -108,
  NODE_EXISTS: -110,
  NOT_EMPTY: -111,
  SESSION_EXPIRED: -112,
  INVALID_CALLBACK: -113,
  INVALID_ACL: -114,
  AUTH_FAILED: -115,
} as const;

const CODE_BY_NUMBER: ReadonlyMap<number, ZkErrorCode> = new Map<number, ZkErrorCode>([
  [KEEPER_CODES.NODE_EXISTS, 'NODEEXISTS'],
  [KEEPER_CODES.NO_NODE, 'NONODE'],
  [KEEPER_CODES.BAD_VERSION, 'BADVERSION'],
  [KEEPER_CODES.NOT_EMPTY, 'NOTEMPTY'],
  [KEEPER_CODES.CONNECTION_LOSS, 'CONNECTIONLOSS'],
  [KEEPER_CODES.OPERATION_TIMEOUT, 'OPERATIONTIMEOUT'],
  [KEEPER_CODES.SESSION_EXPIRED, 'SESSIONEXPIRED'],
  [KEEPER_CODES.NO_AUTH, 'NOAUTH'],
  [KEEPER_CODES.INVALID_ACL, 'INVALIDACL'],
  [KEEPER_CODES.AUTH_FAILED, 'AUTHFAILED'],
  [KEEPER_CODES.NO_CHILDREN_FOR_EPHEMERALS, 'NOCHILDRENFOREPHEMERALS'],
]);

/** Map a KeeperException.Code number; codes the ports do not name become OTHER. */
export function zkErrorCodeOf(keeperCode: number): ZkErrorCode {
  return CODE_BY_NUMBER.get(keeperCode) ?? 'OTHER';
}

/** The failed half of ZkOpResult. */
export type ZkFailure = { readonly code: ZkErrorCode; readonly message: string };

/**
 * Turn whatever node-zookeeper-client passed to a callback (an Exception with a numeric `code`,
 * or some other Error) into a failed ZkOpResult whose message names the operation and path.
 */
export function failureFromLibraryError(error: unknown, operation: string, path: string): ZkFailure {
  const keeperCode =
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number'
      ? (error as { code: number }).code
      : undefined;
  const text = errorMessage(error);
  if (keeperCode === undefined) return { code: 'OTHER', message: `${operation} ${path}: ${text}` };
  return { code: zkErrorCodeOf(keeperCode), message: `${operation} ${path}: ${text}` };
}

/** Hadoop's ActiveStandbyElector.shouldRetry: the codes worth another attempt on the same session. */
export function isRetryableZkCode(code: ZkErrorCode | 'OK'): boolean {
  return code === 'CONNECTIONLOSS' || code === 'OPERATIONTIMEOUT';
}

/** A ZooKeeper operation of a synchronous helper (ensure/clear parent znode) failed for good. */
export class ZkOperationError extends ZkfcError {
  readonly code = 'ZK_OPERATION_FAILED';
  constructor(
    message: string,
    /** The ZooKeeper result code of the last attempt. */
    readonly zkCode: ZkErrorCode,
    /** The znode the failing operation addressed. */
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
