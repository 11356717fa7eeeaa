// The ZKFCProtocol server (cedeActive, gracefulFailover) on dfs.ha.zkfc.port, so that
// `hdfs haadmin -failover` and Java ZKFC peers can drive our daemon. Parity: ZKFCRpcServer —
// bind host (servicerpc-bind-host, else rpc-bind-host, else the local NameNode's service
// address), and the admin access check on both methods.

import { ZkfcError, errorMessage, type ZkfcErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import {
  CedeActiveRequestProtoSchema,
  CedeActiveResponseProtoSchema,
  GracefulFailoverRequestProtoSchema,
  GracefulFailoverResponseProtoSchema,
} from '../gen/ZKFCProtocol_pb.js';
import { defineMethod, IpcServer } from '../ipc/server.js';
import type { RpcCallContext } from '../ipc/server-connection.js';
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

export interface ZkfcRpcServerOptions {
  readonly host: string;
  readonly port: number;
  /** dfs.cluster.administrators. */
  readonly administrators: string;
  /** The daemon's own login user: callers with the same short name are always allowed. */
  readonly loginUser: string;
  readonly handler: ZkfcProtocolHandler;
  readonly logger: Logger;
  readonly acl?: AdminAcl;
}

/**
 * Parity: ZKFCRpcServer's bind address — dfs.namenode.servicerpc-bind-host, else
 * dfs.namenode.rpc-bind-host, else the host of the local NameNode's service RPC address.
 */
export function zkfcBindHost(serviceBindHost: string | undefined, rpcBindHost: string | undefined, serviceHost: string): string {
  for (const host of [serviceBindHost, rpcBindHost]) {
    if (host !== undefined && host.trim() !== '') return host.trim();
  }
  return serviceHost;
}

export class ZkfcRpcServer {
  private readonly server: IpcServer;
  private readonly acl: AdminAcl;
  private readonly log: Logger;

  constructor(private readonly options: ZkfcRpcServerOptions) {
    this.log = options.logger.child({ component: 'zkfc-rpc' });
    this.acl = options.acl ?? new AdminAcl(options.administrators);
    this.server = new IpcServer({ host: options.host, port: options.port, logger: this.log });
    this.server.registerProtocol(ZKFC_PROTOCOL.name, ZKFC_PROTOCOL.version, {
      cedeActive: defineMethod(CedeActiveRequestProtoSchema, CedeActiveResponseProtoSchema, async (request, ctx) => {
        this.checkRpcAdminAccess(ctx);
        const millisToCede = decodeMillisToCede(request.millisToCede);
        await this.call(() => options.handler.cedeActive(millisToCede, describeCaller(ctx)));
        return {};
      }),
      gracefulFailover: defineMethod(GracefulFailoverRequestProtoSchema, GracefulFailoverResponseProtoSchema, async (_request, ctx) => {
        this.checkRpcAdminAccess(ctx);
        await this.call(() => options.handler.gracefulFailover(describeCaller(ctx)));
        return {};
      }),
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
    if (user !== '' && (this.acl.isUserAllowed(user) || shortUserName(user) === shortUserName(this.options.loginUser))) return;
    this.log.warn({ user, remote: ctx.remoteAddress, method: ctx.method }, 'refused ZKFC RPC: caller not an administrator');
    throw new RemoteException(
      ExceptionClassName.AccessControl,
      `Disallowed RPC access from ${user || '(no user)'} (auth:SIMPLE) at ${ctx.remoteAddress}. Not listed in dfs.cluster.administrators`,
    );
  }

  private async call(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (error instanceof RemoteException) throw error;
      const ioException = error instanceof ZkfcError && IO_EXCEPTION_CODES.has(error.code);
      throw new RemoteException(ioException ? ExceptionClassName.IO : ExceptionClassName.ServiceFailed, errorMessage(error));
    }
  }
}

function describeCaller(ctx: RpcCallContext): string {
  return `${ctx.user || '(no user)'} at ${ctx.remoteAddress}`;
}
