// The ZKFCProtocol server (cedeActive, gracefulFailover) on dfs.ha.zkfc.port, so that
// `hdfs haadmin -failover` and Java ZKFC peers can drive our daemon. Parity: ZKFCRpcServer —
// bind host (servicerpc-bind-host, else rpc-bind-host, else the local NameNode's service
// address), and the admin access check on both methods. With hadoop.security.authentication=kerberos
// every client authenticates with SASL GSSAPI against the daemon's keytab (src/ipc/sasl-server.ts,
// KerberosIpcServerAuthentication) and a SIMPLE one is refused; with hadoop.security.authorization
// each connection must pass security.zkfc.protocol.acl (service-authorization.ts) before any call.
//
// Bounded, beyond Hadoop (README, "Security model"): ZKFCProtocol messages are tiny, so frames are
// capped at SETUP_FRAME_BYTES until the connection context arrives and at CALL_FRAME_BYTES after;
// connections are capped in all and per source address, must set themselves up within a deadline
// and are closed when idle (ZkfcRpcLimits); an optional allow-list says which addresses may
// connect at all. A cedeActive longer than maxCedeMs is refused with ServiceFailedException
// (Hadoop takes any duration: 0x7fffffff ms is 24 days without an active NameNode), and every
// cede is logged with its caller, address and duration.

import { ZkfcError, errorMessage, type ZkfcErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import {
  CedeActiveRequestProtoSchema,
  CedeActiveResponseProtoSchema,
  GracefulFailoverRequestProtoSchema,
  GracefulFailoverResponseProtoSchema,
} from '../gen/ZKFCProtocol_pb.js';
import type { AddressAllowList } from '../ipc/admission.js';
import { defineMethod, IpcServer } from '../ipc/server.js';
import type { RpcCallContext } from '../ipc/server-connection.js';
import type { IpcSaslServerAuthentication } from '../ipc/sasl-server.js';
import type { ZkfcServiceAuthorization } from './service-authorization.js';
import { RemoteException } from '../ipc/errors.js';
import { AdminAcl, shortUserName } from './admin-acl.js';
import { ExceptionClassName, ZKFC_PROTOCOL } from './protocol-names.js';
import { decodeMillisToCede } from './zkfc-client.js';

/**
 * What the server asks the failover controller to do. A rejection is answered as Java's ZKFC
 * would: ServiceFailedException, or IOException for the codes in IO_EXCEPTION_CODES.
 */
export interface ZkfcProtocolHandler {
  cedeActive(millisToCede: number, caller: string): Promise<void>;
  gracefulFailover(caller: string): Promise<void>;
}

/**
 * Failures Java's ZKFC lets through as an IOException rather than a ServiceFailedException: a peer
 * that could not be asked to cede (its RPC's IOException), a controller that is not running. haadmin
 * prints "Operation failed" for those and "Failover failed" for the rest, as Hadoop's does.
 */
const IO_EXCEPTION_CODES: ReadonlySet<ZkfcErrorCode> = new Set<ZkfcErrorCode>(['PEER_CEDE_FAILED', 'ZKFC_NOT_RUNNING']);

/**
 * Largest frame before the connection context: a Java client's SASL negotiation and context are a few hundred bytes.
 */
export const SETUP_FRAME_BYTES = 4 * 1024;
/**
 * Largest frame before the connection context with Kerberos: an INITIATE carries the client's
 * ticket, a few KiB from an MIT KDC and up to 48 KiB with an Active Directory PAC (MaxTokenSize).
 */
export const SASL_SETUP_FRAME_BYTES = 64 * 1024;
/** Largest call frame: a cedeActive or gracefulFailover request with its headers is under 200 bytes. */
export const CALL_FRAME_BYTES = 64 * 1024;
/** Calls in flight per connection (a ZKFC or haadmin makes one at a time). */
const MAX_IN_FLIGHT_PER_CONNECTION = 8;
/** Unsent answers per connection before it stops reading (a client that does not read). */
const MAX_UNSENT_RESPONSE_BYTES = 64 * 1024;

/** The bounds of the server (src/config/schema.ts, RpcServerSettings). */
export interface ZkfcRpcLimits {
  readonly allowList?: AddressAllowList;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly setupTimeoutMs: number;
  /** Connections without a call for this long are closed (twice ipc.client.connection.maxidletime). */
  readonly maxIdleMs: number;
  /** Longest cedeActive honoured. */
  readonly maxCedeMs: number;
}

export interface ZkfcRpcServerOptions {
  readonly host: string;
  readonly port: number;
  /** Default: no allow-list, 64 connections (8 per address), 10 s setup, 20 s idle, 5 min cede. */
  readonly limits?: Partial<ZkfcRpcLimits>;
  /** dfs.cluster.administrators. */
  readonly administrators: string;
  /** The daemon's own login user: callers with the same short name are always allowed. */
  readonly loginUser: string;
  /** The login user's short name (hadoop.security.auth_to_local); default: its first component. */
  readonly loginShortName?: string;
  readonly handler: ZkfcProtocolHandler;
  readonly logger: Logger;
  readonly acl?: AdminAcl;
  /** Kerberos: clients must authenticate; the admin ACL then sees their short names. */
  readonly sasl?: IpcSaslServerAuthentication;
  /** hadoop.security.authorization: security.zkfc.protocol.acl per connection. */
  readonly serviceAuthorization?: ZkfcServiceAuthorization;
}

/**
 * Parity: ZKFCRpcServer's bind address — dfs.namenode.servicerpc-bind-host, else
 * dfs.namenode.rpc-bind-host, else the host of the local NameNode's service RPC address.
 */
export function zkfcBindHost(
  serviceBindHost: string | undefined,
  rpcBindHost: string | undefined,
  serviceHost: string,
): string {
  for (const host of [serviceBindHost, rpcBindHost]) {
    if (host !== undefined && host.trim() !== '') return host.trim();
  }
  return serviceHost;
}

export const ZKFC_RPC_LIMITS_DEFAULT: ZkfcRpcLimits = {
  maxConnections: 64,
  maxConnectionsPerAddress: 8,
  setupTimeoutMs: 10_000,
  maxIdleMs: 20_000,
  maxCedeMs: 300_000,
};

export class ZkfcRpcServer {
  private readonly server: IpcServer;
  private readonly acl: AdminAcl;
  private readonly log: Logger;
  private readonly loginShortName: string;

  constructor(options: ZkfcRpcServerOptions) {
    this.log = options.logger.child({ component: 'zkfc-rpc' });
    this.loginShortName = options.loginShortName ?? shortUserName(options.loginUser);
    this.acl = options.acl ?? new AdminAcl(options.administrators);
    const limits = { ...ZKFC_RPC_LIMITS_DEFAULT, ...options.limits };
    this.server = new IpcServer({
      host: options.host,
      port: options.port,
      logger: this.log,
      maxFrameBytes: CALL_FRAME_BYTES,
      maxSetupFrameBytes: options.sasl !== undefined ? SASL_SETUP_FRAME_BYTES : SETUP_FRAME_BYTES,
      maxConnections: limits.maxConnections,
      maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
      ...(limits.allowList !== undefined ? { allowList: limits.allowList } : {}),
      setupTimeoutMs: limits.setupTimeoutMs,
      maxIdleMs: limits.maxIdleMs,
      maxInFlightPerConnection: MAX_IN_FLIGHT_PER_CONNECTION,
      maxUnsentResponseBytes: MAX_UNSENT_RESPONSE_BYTES,
      security: {
        ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
        ...(options.serviceAuthorization !== undefined
          ? { authorize: (identity) => options.serviceAuthorization!.authorize(identity) }
          : {}),
      },
    });
    this.server.registerProtocol(ZKFC_PROTOCOL.name, ZKFC_PROTOCOL.version, {
      cedeActive: defineMethod(CedeActiveRequestProtoSchema, CedeActiveResponseProtoSchema, async (request, ctx) => {
        this.checkRpcAdminAccess(ctx);
        const millisToCede = decodeMillisToCede(request.millisToCede);
        const who = { user: ctx.user || '(no user)', address: ctx.remoteAddress, millisToCede };
        if (millisToCede > limits.maxCedeMs) {
          this.log.warn(
            { ...who, maxCedeMs: limits.maxCedeMs },
            'cedeActive refused: longer than zkfc.rpc.cede.max.ms',
          );
          throw new RemoteException(
            ExceptionClassName.ServiceFailed,
            `cedeActive for ${millisToCede} ms refused: longer than the ` +
              `${limits.maxCedeMs} ms this ZKFC allows (zkfc.rpc.cede.max.ms)`,
          );
        }
        this.log.info(who, millisToCede > 0 ? 'cedeActive requested' : 'cedeActive withdrawal requested');
        await this.call(() => options.handler.cedeActive(millisToCede, describeCaller(ctx)));
        return {};
      }),
      gracefulFailover: defineMethod(
        GracefulFailoverRequestProtoSchema,
        GracefulFailoverResponseProtoSchema,
        async (_request, ctx) => {
          this.checkRpcAdminAccess(ctx);
          await this.call(() => options.handler.gracefulFailover(describeCaller(ctx)));
          return {};
        },
      ),
    });
  }

  listen(): Promise<{ host: string; port: number }> {
    return this.server.listen();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Parity: ZKFCRpcServer.checkRpcAdminAccess. */
  private checkRpcAdminAccess(ctx: RpcCallContext): void {
    const user = ctx.user;
    // An authenticated principal is matched by its short name (AccessControlList.isUserAllowed).
    const aclName = ctx.shortUser ?? user;
    const short = ctx.shortUser ?? shortUserName(user);
    if (user !== '' && (this.acl.isUserAllowed(aclName) || short === this.loginShortName)) return;
    this.log.warn(
      { user, authMethod: ctx.authMethod, remote: ctx.remoteAddress, method: ctx.method },
      'refused ZKFC RPC: caller not an administrator',
    );
    throw new RemoteException(
      ExceptionClassName.AccessControl,
      `Disallowed RPC access from ${user || '(no user)'} (auth:${ctx.authMethod}) ` +
        `at ${ctx.remoteAddress}. Not listed in dfs.cluster.administrators`,
    );
  }

  private async call(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (error instanceof RemoteException) throw error;
      const ioException = error instanceof ZkfcError && IO_EXCEPTION_CODES.has(error.code as ZkfcErrorCode);
      throw new RemoteException(
        ioException ? ExceptionClassName.IO : ExceptionClassName.ServiceFailed,
        errorMessage(error),
      );
    }
  }
}

function describeCaller(ctx: RpcCallContext): string {
  return `${ctx.user || '(no user)'} at ${ctx.remoteAddress}`;
}
