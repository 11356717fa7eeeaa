// Goal: our encoders and decoders reproduce every worked example of docs/hadoop-compat.md §1.11 byte for byte
// (preamble, connection context, monitorHealth call #0, success reply header, the HA request
// bodies, the SASL NEGOTIATE frame), and decoding those bytes yields the fields they encode.
// Method: expected bytes are written by hand in test/support/ipc-bytes.ts from docs/hadoop-compat.md §1.11; the
// production encoders build the same messages from fields; both are compared as hex.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { CedeActiveRequestProtoSchema } from '../../../src/gen/ZKFCProtocol_pb.js';
import {
  HARequestSource,
  MonitorHealthRequestProtoSchema,
  TransitionToActiveRequestProtoSchema,
} from '../../../src/gen/HAServiceProtocol_pb.js';
import { IpcConnectionContextProtoSchema } from '../../../src/gen/IpcConnectionContext_pb.js';
import { RequestHeaderProtoSchema } from '../../../src/gen/ProtobufRpcEngine2_pb.js';
import { RpcSaslProto_SaslState, RpcSaslProtoSchema } from '../../../src/gen/RpcHeader_pb.js';
import { AuthProtocol } from '../../../src/ipc/codec/constants.js';
import { FrameDecoder } from '../../../src/ipc/codec/frame-decoder.js';
import {
  decodeMessage,
  decodeRequestHeader,
  decodeResponseFrame,
  encodeCallFrame,
  encodeConnectionContextFrame,
  encodeMessage,
  encodeResponseFrame,
  encodeResponseHeader,
  encodeSaslRequestFrame,
} from '../../../src/ipc/codec/messages.js';
import { checkPreamble, encodePreamble } from '../../../src/ipc/codec/preamble.js';
import { HA_SERVICE_PROTOCOL } from '../../../src/hadoop/protocol-names.js';
import { encodeMillisToCede } from '../../../src/hadoop/zkfc-client.js';
import {
  SPEC_CLIENT_ID,
  SPEC_PREAMBLE,
  SPEC_SASL_NEGOTIATE_FRAME,
  concatBytes,
  delimited,
  frameOf,
  hexBytes,
  specConnectionContextFrame,
  specMonitorHealthFrame,
  specSuccessHeader,
  toHex,
} from '../../support/ipc-bytes.js';

const oneFrame = (bytes: Uint8Array) => {
  const frames = new FrameDecoder().frames(bytes);
  expect(frames).toHaveLength(1);
  return frames[0]!;
};

describe('docs/hadoop-compat.md §1.11 worked bytes', () => {
  it('preamble: 68 72 70 63 09 00 00', () => {
    expect(toHex(encodePreamble())).toBe('68727063090000');
    expect(toHex(encodePreamble())).toBe(toHex(SPEC_PREAMBLE));
    expect(checkPreamble(SPEC_PREAMBLE)).toEqual({ kind: 'ok', serviceClass: 0, authProtocol: AuthProtocol.NONE });
    expect(toHex(encodePreamble({ authProtocol: AuthProtocol.SASL }))).toBe('687270630900df');
  });

  it('connection context frame for user hdfs (76 bytes after the length)', () => {
    const bytes = encodeConnectionContextFrame({
      clientId: SPEC_CLIENT_ID,
      effectiveUser: 'hdfs',
      protocol: HA_SERVICE_PROTOCOL.name,
    });
    expect(toHex(bytes)).toBe(toHex(specConnectionContextFrame()));
    expect(bytes.length).toBe(4 + 0x4c);

    const { header, reader } = decodeRequestHeader(oneFrame(bytes));
    expect(header.callId).toBe(-3);
    expect(header.retryCount).toBe(-1);
    expect(toHex(header.clientId)).toBe(toHex(SPEC_CLIENT_ID));
    const context = decodeMessage(IpcConnectionContextProtoSchema, reader.next(), reader.offset);
    expect(context.userInfo?.effectiveUser).toBe('hdfs');
    expect(context.protocol).toBe('org.apache.hadoop.ha.HAServiceProtocol');
    expect(reader.remaining).toBe(0);
  });

  it('monitorHealth call #0 (86 bytes after the length)', () => {
    const request = encodeMessage(MonitorHealthRequestProtoSchema, {});
    const bytes = encodeCallFrame({
      callId: 0,
      clientId: SPEC_CLIENT_ID,
      methodName: 'monitorHealth',
      protocol: HA_SERVICE_PROTOCOL,
      request,
    });
    expect(toHex(bytes)).toBe(toHex(specMonitorHealthFrame()));
    expect(bytes.length).toBe(4 + 0x56);

    const { header, reader } = decodeRequestHeader(oneFrame(bytes));
    expect(header.callId).toBe(0);
    expect(header.retryCount).toBe(0);
    const requestHeader = decodeMessage(RequestHeaderProtoSchema, reader.next(), reader.offset);
    expect(requestHeader.methodName).toBe('monitorHealth');
    expect(requestHeader.declaringClassProtocolName).toBe('org.apache.hadoop.ha.HAServiceProtocol');
    expect(requestHeader.clientProtocolVersion).toBe(1n);
    expect(reader.next()).toHaveLength(0);
    expect(reader.remaining).toBe(0);
  });

  it('success reply header: 08 00 10 00 18 09 3a 10 <16 bytes> 40 00, then 00', () => {
    const header = encodeResponseHeader({ callId: 0, status: 0, clientId: SPEC_CLIENT_ID, retryCount: 0 });
    expect(toHex(header)).toBe(toHex(specSuccessHeader()));
    const frame = encodeResponseFrame(
      { callId: 0, status: 0, clientId: SPEC_CLIENT_ID, retryCount: 0 },
      new Uint8Array(0),
    );
    expect(toHex(frame)).toBe(toHex(frameOf(concatBytes(delimited(specSuccessHeader()), hexBytes('00')))));
  });

  it('success reply with a NameNode stateId (field 9) decodes, the field is tolerated', () => {
    // 48 = field 9 varint; 96 01 = 150.
    const withStateId = concatBytes(specSuccessHeader(), hexBytes('48 96 01'));
    const decoded = decodeResponseFrame(oneFrame(frameOf(concatBytes(delimited(withStateId), hexBytes('00')))));
    expect(decoded.status).toBe('SUCCESS');
    expect(decoded.callId).toBe(0);
    expect(decoded.header.stateId).toBe(150n);
    expect(decoded.body).toHaveLength(0);
  });

  it('TransitionToActiveRequestProto{reqInfo{reqSource: REQUEST_BY_ZKFC}} = 0a 02 08 02', () => {
    const body = encodeMessage(TransitionToActiveRequestProtoSchema, {
      reqInfo: { reqSource: HARequestSource.REQUEST_BY_ZKFC },
    });
    expect(toHex(body)).toBe('0a020802');
    expect(fromBinary(TransitionToActiveRequestProtoSchema, hexBytes('0a 02 08 02')).reqInfo?.reqSource).toBe(
      HARequestSource.REQUEST_BY_ZKFC,
    );
  });

  it('CedeActiveRequestProto{millisToCede: -1} = 08 ff ff ff ff 0f', () => {
    const body = toBinary(
      CedeActiveRequestProtoSchema,
      create(CedeActiveRequestProtoSchema, { millisToCede: encodeMillisToCede(-1) }),
    );
    expect(toHex(body)).toBe('08ffffffff0f');
  });

  it('SASL NEGOTIATE frame = 00 00 00 0e 0a 08 02 10 00 18 41 22 00 28 01 02 10 01', () => {
    const negotiate = encodeMessage(RpcSaslProtoSchema, { state: RpcSaslProto_SaslState.NEGOTIATE });
    expect(toHex(encodeSaslRequestFrame(negotiate))).toBe(toHex(SPEC_SASL_NEGOTIATE_FRAME));
    const { header, reader } = decodeRequestHeader(oneFrame(SPEC_SASL_NEGOTIATE_FRAME));
    expect(header.callId).toBe(-33);
    expect(header.clientId).toHaveLength(0);
    expect(decodeMessage(RpcSaslProtoSchema, reader.next(), reader.offset).state).toBe(
      RpcSaslProto_SaslState.NEGOTIATE,
    );
  });

  it('FATAL response with callId -1 is sent as uint32 ff ff ff ff 0f and decodes back to -1', () => {
    const frame = encodeResponseFrame({
      callId: -1,
      status: 2,
      exceptionClassName: 'org.apache.hadoop.ipc.RPC$VersionMismatch',
      errorMsg: 'Server IPC version 9 cannot communicate with client version 10',
      errorDetail: 14,
    });
    // header starts after 4-byte length + 1-byte delimiter: 08 ff ff ff ff 0f 10 02 18 09
    expect(toHex(frame.subarray(5, 15))).toBe('08ffffffff0f10021809');
    const decoded = decodeResponseFrame(oneFrame(frame));
    expect(decoded.callId).toBe(-1);
    expect(decoded.status).toBe('FATAL');
    expect(decoded.header.errorDetail).toBe(14);
    expect(decoded.body).toBeUndefined();
  });
});
