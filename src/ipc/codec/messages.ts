// Encoding and decoding of whole Hadoop IPC frames with the generated schemas (docs/hadoop-compat.md §1.4–§1.8):
// connection context, calls (RpcRequestHeaderProto + RequestHeaderProto + request), pings, SASL
// messages, and responses (RpcResponseHeaderProto + optional response). Sans-IO. Decoders check
// proto2 `required` fields (protobuf-es does not on parse, Java does) and that every byte of a frame
// is consumed; any fault is a FrameError or ProtocolError naming the stream offset.

import { create, fromBinary, isFieldSet, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { FeatureSet_FieldPresence } from '@bufbuild/protobuf/wkt';
import { IpcConnectionContextProtoSchema } from '../../gen/IpcConnectionContext_pb.js';
import { RequestHeaderProtoSchema } from '../../gen/ProtobufRpcEngine2_pb.js';
import {
  RpcKindProto,
  RpcRequestHeaderProto_OperationProto,
  RpcRequestHeaderProtoSchema,
  RpcResponseHeaderProto_RpcErrorCodeProto,
  RpcResponseHeaderProto_RpcStatusProto,
  RpcResponseHeaderProtoSchema,
} from '../../gen/RpcHeader_pb.js';
import type { RpcRequestHeaderProto, RpcResponseHeaderProto } from '../../gen/RpcHeader_pb.js';
import type { ProtocolId } from '../names.js';
import { ProtocolError } from '../errors.js';
import { CallId, INVALID_RETRY_COUNT, IPC_VERSION } from './constants.js';
import { DelimitedReader, encodeDelimitedFrame } from './delimited.js';
import type { Frame } from './frame-decoder.js';

// ---------------------------------------------------------------------------------------------
// Generic message helpers

/** Names of unset proto2 required fields, recursively (dotted paths), as Java's "missing required fields". */
export function missingRequiredFields(schema: DescMessage, message: object, prefix = '', depth = 0): string[] {
  const missing: string[] = [];
  if (depth > 32) return missing; // our schemas nest two levels; recursion limit of fromBinary covers input
  const record = message as Record<string, unknown>;
  for (const field of schema.fields) {
    const path = prefix + field.name;
    if (field.presence === FeatureSet_FieldPresence.LEGACY_REQUIRED && !isFieldSet(message as never, field as never)) {
      missing.push(path);
      continue;
    }
    if (field.fieldKind === 'message' && field.oneof === undefined && isFieldSet(message as never, field as never)) {
      const child = record[field.localName];
      if (typeof child === 'object' && child !== null)
        missing.push(...missingRequiredFields(field.message, child, `${path}.`, depth + 1));
    } else if (field.fieldKind === 'list' && field.listKind === 'message') {
      const items = record[field.localName];
      if (Array.isArray(items)) {
        items.forEach((item: unknown, index) => {
          if (typeof item === 'object' && item !== null) {
            missing.push(...missingRequiredFields(field.message, item, `${path}[${index}].`, depth + 1));
          }
        });
      }
    }
  }
  return missing;
}

/**
 * Parse one message and check its required fields. `offset` is the stream offset of `bytes[0]`,
 * reported in the ProtocolError. Never throws anything but ProtocolError.
 */
export function decodeMessage<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
  offset: number,
): MessageShape<Desc> {
  let message: MessageShape<Desc>;
  try {
    message = fromBinary(schema, bytes);
  } catch (cause) {
    throw new ProtocolError(offset, `cannot decode ${schema.typeName}: ${describe(cause)}`, undefined, { cause });
  }
  const missing = missingRequiredFields(schema, message);
  if (missing.length > 0) {
    throw new ProtocolError(offset, `${schema.typeName} is missing required fields: ${missing.join(', ')}`);
  }
  return message;
}

/** Serialise; throws (a programming error) when a required field is unset. */
export function encodeMessage<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): Uint8Array {
  return toBinary(schema, create(schema, init));
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Client → server

/** The fields of RpcRequestHeaderProto we vary; rpcKind and rpcOp are always PROTOCOL_BUFFER / FINAL. */
export interface RequestHeaderFields {
  readonly callId: number;
  /** 16 bytes, or empty for SASL. */
  readonly clientId: Uint8Array;
  /** 0 for a first attempt; -1 for connection context, ping and SASL. */
  readonly retryCount: number;
}

/** RpcRequestHeaderProto bytes, fields in Java's order (1 rpcKind, 2 rpcOp, 3 callId, 4 clientId, 5 retryCount). */
export function encodeRpcRequestHeader(fields: RequestHeaderFields): Uint8Array {
  return encodeMessage(RpcRequestHeaderProtoSchema, {
    rpcKind: RpcKindProto.RPC_PROTOCOL_BUFFER,
    rpcOp: RpcRequestHeaderProto_OperationProto.RPC_FINAL_PACKET,
    callId: fields.callId,
    clientId: fields.clientId,
    retryCount: fields.retryCount,
  });
}

export interface ConnectionContextFields {
  readonly clientId: Uint8Array;
  readonly effectiveUser: string;
  /** Only for proxy (doAs) users. */
  readonly realUser?: string;
  /** Protocol name; Java servers with authorization on refuse a missing one. */
  readonly protocol: string;
}

/**
 * The connection context frame (callId -3, retryCount -1); the server does not answer it (docs/hadoop-compat.md §1.4).
 */
export function encodeConnectionContextFrame(fields: ConnectionContextFields): Uint8Array {
  const header = encodeRpcRequestHeader({
    callId: CallId.CONNECTION_CONTEXT,
    clientId: fields.clientId,
    retryCount: INVALID_RETRY_COUNT,
  });
  const userInfo =
    fields.realUser === undefined
      ? { effectiveUser: fields.effectiveUser }
      : { effectiveUser: fields.effectiveUser, realUser: fields.realUser };
  const context = encodeMessage(IpcConnectionContextProtoSchema, { userInfo, protocol: fields.protocol });
  return encodeDelimitedFrame([header, context]);
}

export interface CallFields {
  readonly callId: number;
  readonly clientId: Uint8Array;
  /** Default 0 (first attempt). */
  readonly retryCount?: number;
  readonly methodName: string;
  readonly protocol: ProtocolId;
  /** The serialised request message (may be empty). */
  readonly request: Uint8Array;
}

/** A call frame: RpcRequestHeaderProto, RequestHeaderProto, request (docs/hadoop-compat.md §1.5). */
export function encodeCallFrame(fields: CallFields): Uint8Array {
  const header = encodeRpcRequestHeader({
    callId: fields.callId,
    clientId: fields.clientId,
    retryCount: fields.retryCount ?? 0,
  });
  const requestHeader = encodeMessage(RequestHeaderProtoSchema, {
    methodName: fields.methodName,
    declaringClassProtocolName: fields.protocol.name,
    clientProtocolVersion: BigInt(fields.protocol.version),
  });
  return encodeDelimitedFrame([header, requestHeader, fields.request]);
}

/** A ping: header only (callId -4, retryCount -1); the server ignores it (docs/hadoop-compat.md §1.9). */
export function encodePingFrame(clientId: Uint8Array): Uint8Array {
  return encodeDelimitedFrame([
    encodeRpcRequestHeader({ callId: CallId.PING, clientId, retryCount: INVALID_RETRY_COUNT }),
  ]);
}

/** A SASL message from the client: callId -33, empty clientId, retryCount -1 (docs/hadoop-compat.md §1.3). */
export function encodeSaslRequestFrame(saslMessage: Uint8Array): Uint8Array {
  const header = encodeRpcRequestHeader({
    callId: CallId.SASL,
    clientId: new Uint8Array(0),
    retryCount: INVALID_RETRY_COUNT,
  });
  return encodeDelimitedFrame([header, saslMessage]);
}

/** A request frame with its header decoded; `reader` is positioned after the header. */
export interface DecodedRequestFrame {
  readonly header: RpcRequestHeaderProto;
  readonly reader: DelimitedReader;
}

/**
 * Decode the RpcRequestHeaderProto that opens a request frame. Semantic checks (rpcOp, rpcKind,
 * call id rules) are the server's: it must answer them with specific FATAL codes.
 */
export function decodeRequestHeader(frame: Frame): DecodedRequestFrame {
  const reader = new DelimitedReader(frame.payload, frame.offset);
  const bytes = reader.next();
  const header = decodeMessage(RpcRequestHeaderProtoSchema, bytes, reader.lastOffset);
  return { header, reader };
}

// ---------------------------------------------------------------------------------------------
// Server → client

export type RpcStatusName = 'SUCCESS' | 'ERROR' | 'FATAL';

export interface ResponseHeaderFields {
  readonly callId: number;
  readonly status: RpcResponseHeaderProto_RpcStatusProto;
  /** Echo of the request's clientId (empty when the request header could not be read). */
  readonly clientId?: Uint8Array;
  /** Echo of the request's retryCount; -1 when unknown. */
  readonly retryCount?: number;
  readonly exceptionClassName?: string;
  readonly errorMsg?: string;
  readonly errorDetail?: RpcResponseHeaderProto_RpcErrorCodeProto;
}

/**
 * RpcResponseHeaderProto bytes as Server.setupResponse writes them: callId (negative ids as uint32),
 * status, serverIpcVersionNum 9, then the error fields, clientId, retryCount.
 */
export function encodeResponseHeader(fields: ResponseHeaderFields): Uint8Array {
  return encodeMessage(RpcResponseHeaderProtoSchema, {
    callId: fields.callId >>> 0,
    status: fields.status,
    serverIpcVersionNum: IPC_VERSION,
    ...(fields.exceptionClassName !== undefined ? { exceptionClassName: fields.exceptionClassName } : {}),
    ...(fields.errorMsg !== undefined ? { errorMsg: fields.errorMsg } : {}),
    ...(fields.errorDetail !== undefined ? { errorDetail: fields.errorDetail } : {}),
    clientId: fields.clientId ?? new Uint8Array(0),
    retryCount: fields.retryCount ?? INVALID_RETRY_COUNT,
  });
}

/** A response frame; `body` (the serialised response message) only for SUCCESS. */
export function encodeResponseFrame(fields: ResponseHeaderFields, body?: Uint8Array): Uint8Array {
  const header = encodeResponseHeader(fields);
  return encodeDelimitedFrame(body === undefined ? [header] : [header, body]);
}

export interface DecodedResponseFrame {
  readonly header: RpcResponseHeaderProto;
  /** header.callId coerced to int32 (0xFFFFFFFF → -1). */
  readonly callId: number;
  readonly status: RpcStatusName;
  /** The response message bytes (SUCCESS only). */
  readonly body: Uint8Array | undefined;
  /** Stream offset of the body. */
  readonly bodyOffset: number;
}

const STATUS_NAMES: Record<number, RpcStatusName> = {
  [RpcResponseHeaderProto_RpcStatusProto.SUCCESS]: 'SUCCESS',
  [RpcResponseHeaderProto_RpcStatusProto.ERROR]: 'ERROR',
  [RpcResponseHeaderProto_RpcStatusProto.FATAL]: 'FATAL',
};

/**
 * Decode a response frame. SUCCESS frames carry exactly one more delimited message (the response);
 * ERROR/FATAL frames carry nothing after the header. Anything else is "RPC response length
 * mismatch" (Client.Connection.receiveRpcResponse). Unknown header fields (stateId from NameNodes,
 * future fields) are tolerated.
 */
export function decodeResponseFrame(frame: Frame): DecodedResponseFrame {
  const reader = new DelimitedReader(frame.payload, frame.offset);
  const headerBytes = reader.next();
  const headerOffset = reader.lastOffset;
  const header = decodeMessage(RpcResponseHeaderProtoSchema, headerBytes, headerOffset);
  const status = STATUS_NAMES[header.status];
  if (status === undefined) throw new ProtocolError(headerOffset, `unknown response status ${header.status}`);
  const callId = header.callId | 0;
  let body: Uint8Array | undefined;
  let bodyOffset = reader.offset;
  if (status === 'SUCCESS') {
    if (reader.remaining === 0)
      throw new ProtocolError(bodyOffset, `SUCCESS response for call ${callId} has no response message`);
    body = reader.next();
    bodyOffset = reader.lastOffset;
  }
  if (reader.remaining > 0) {
    throw new ProtocolError(
      reader.offset,
      `RPC response length mismatch: ${reader.remaining} unread bytes in the response to call ${callId}`,
    );
  }
  return { header, callId, status, body, bodyOffset };
}

/** RpcErrorCodeProto number → name (ERROR_APPLICATION...), or the number as text when unknown. */
export function errorCodeName(code: number): string {
  return RpcResponseHeaderProto_RpcErrorCodeProto[code] ?? String(code);
}
