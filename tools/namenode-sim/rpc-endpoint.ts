// HAServiceProtocol of a simulated NameNode over Hadoop IPC: the five methods registered on an
// IpcServer (src/ipc/server.ts), each handing the call to the model and turning its decision into
// a reply or a RemoteException with the Java class name and message a real NameNode sends.

import { create } from '@bufbuild/protobuf';
import type { HARequestSource } from '../../src/core/types.js';
import {
  GetServiceStatusRequestProtoSchema,
  GetServiceStatusResponseProtoSchema,
  HARequestSource as HARequestSourceProto,
  type HAStateChangeRequestInfoProto,
  MonitorHealthRequestProtoSchema,
  MonitorHealthResponseProtoSchema,
  TransitionToActiveRequestProtoSchema,
  TransitionToActiveResponseProtoSchema,
  TransitionToObserverRequestProtoSchema,
  TransitionToObserverResponseProtoSchema,
  TransitionToStandbyRequestProtoSchema,
  TransitionToStandbyResponseProtoSchema,
} from '../../src/gen/HAServiceProtocol_pb.js';
import { haServiceStateToProto } from '../../src/hadoop/ha-service-client.js';
import { HA_PROTOCOL_VERSION, HA_SERVICE_PROTOCOL_NAME, HAServiceMethod } from '../../src/hadoop/protocol-names.js';
import { defineMethod, IpcServer } from '../../src/ipc/server.js';
import type { RpcCallContext, RpcMethod } from '../../src/ipc/server-connection.js';
import { RemoteException } from '../../src/ipc/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { HADecision, HARequest } from './ha-state.js';
import type { NameNodeSimulatorModel } from './model.js';

/** Parity: HAServiceProtocolServerSideTranslatorPB.convert rejects an unknown request source. */
const ILLEGAL_ARGUMENT = 'java.lang.IllegalArgumentException';

function requestSource(reqInfo: HAStateChangeRequestInfoProto | undefined): HARequestSource {
  switch (reqInfo?.reqSource) {
    case HARequestSourceProto.REQUEST_BY_USER:
      return 'REQUEST_BY_USER';
    case HARequestSourceProto.REQUEST_BY_USER_FORCED:
      return 'REQUEST_BY_USER_FORCED';
    case HARequestSourceProto.REQUEST_BY_ZKFC:
      return 'REQUEST_BY_ZKFC';
    default:
      throw new RemoteException(ILLEGAL_ARGUMENT, `Bad request source: ${String(reqInfo?.reqSource)}`);
  }
}

async function decide(model: NameNodeSimulatorModel, request: HARequest, ctx: RpcCallContext): Promise<HADecision> {
  const decision = await model.handle(request, { user: ctx.user, remoteAddress: ctx.remoteAddress });
  if (decision.kind === 'exception') throw new RemoteException(decision.className, decision.message);
  return decision;
}

/** The HAServiceProtocol methods of one simulated NameNode, ready for IpcServer.registerProtocol. */
export function haServiceProtocolMethods(model: NameNodeSimulatorModel): Record<string, RpcMethod> {
  return {
    [HAServiceMethod.monitorHealth]: defineMethod(
      MonitorHealthRequestProtoSchema,
      MonitorHealthResponseProtoSchema,
      async (_request, ctx) => {
        await decide(model, { method: 'monitorHealth' }, ctx);
        return {};
      },
    ),
    [HAServiceMethod.getServiceStatus]: defineMethod(
      GetServiceStatusRequestProtoSchema,
      GetServiceStatusResponseProtoSchema,
      async (_request, ctx) => {
        const decision = await decide(model, { method: 'getServiceStatus' }, ctx);
        const status = decision.kind === 'ok' ? decision.status : undefined;
        if (!status) throw new RemoteException(ILLEGAL_ARGUMENT, 'no status'); // unreachable: the rules always give one
        // Optional proto2 fields are sent only when set, as the Java translator does.
        const response = create(GetServiceStatusResponseProtoSchema, { state: haServiceStateToProto(status.state) });
        if (status.readyToBecomeActive !== undefined) response.readyToBecomeActive = status.readyToBecomeActive;
        if (status.notReadyReason !== undefined) response.notReadyReason = status.notReadyReason;
        return response;
      },
    ),
    [HAServiceMethod.transitionToActive]: defineMethod(
      TransitionToActiveRequestProtoSchema,
      TransitionToActiveResponseProtoSchema,
      async (request, ctx) => {
        await decide(model, { method: 'transitionToActive', source: requestSource(request.reqInfo) }, ctx);
        return {};
      },
    ),
    [HAServiceMethod.transitionToStandby]: defineMethod(
      TransitionToStandbyRequestProtoSchema,
      TransitionToStandbyResponseProtoSchema,
      async (request, ctx) => {
        await decide(model, { method: 'transitionToStandby', source: requestSource(request.reqInfo) }, ctx);
        return {};
      },
    ),
    [HAServiceMethod.transitionToObserver]: defineMethod(
      TransitionToObserverRequestProtoSchema,
      TransitionToObserverResponseProtoSchema,
      async (request, ctx) => {
        await decide(model, { method: 'transitionToObserver', source: requestSource(request.reqInfo) }, ctx);
        return {};
      },
    ),
  };
}

/** An IpcServer serving the model's HAServiceProtocol on host:port (0 = a free port). */
export async function startHAServiceRpcServer(
  model: NameNodeSimulatorModel,
  options: { readonly host: string; readonly port: number; readonly logger?: Logger },
): Promise<{ readonly server: IpcServer; readonly host: string; readonly port: number }> {
  const server = new IpcServer({
    host: options.host,
    port: options.port,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  server.registerProtocol(HA_SERVICE_PROTOCOL_NAME, HA_PROTOCOL_VERSION, haServiceProtocolMethods(model));
  const bound = await server.listen();
  return { server, host: bound.host, port: bound.port };
}
