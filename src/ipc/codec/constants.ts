// Wire constants of Hadoop IPC version 9 (RpcConstants, Server, Client; docs/hadoop-compat.md §1.2, §1.6, §1.7, §1.9).

/** "hrpc", RpcConstants.HEADER. */
export const RPC_MAGIC = new Uint8Array([0x68, 0x72, 0x70, 0x63]);
/** RpcConstants.CURRENT_VERSION. */
export const IPC_VERSION = 9;
/** RPC.RPC_SERVICE_CLASS_DEFAULT. */
export const DEFAULT_SERVICE_CLASS = 0;
/** Length of the connection preamble: magic, version, service class, auth protocol. */
export const PREAMBLE_LENGTH = 7;

/** Server.AuthProtocol codes as the preamble carries them (a signed byte). */
export const AuthProtocol = { NONE: 0, SASL: -33 } as const;

/** Special call ids (docs/hadoop-compat.md §1.6). */
export const CallId = {
  /** Server → client fatal auth / version-mismatch responses. */
  AUTHORIZATION_FAILED: -1,
  /** Sentinel, never sent. */
  INVALID: -2,
  CONNECTION_CONTEXT: -3,
  PING: -4,
  /** AuthProtocol.SASL.callId. */
  SASL: -33,
} as const;

/** RpcConstants.INVALID_RETRY_COUNT: connection context, ping and SASL messages. */
export const INVALID_RETRY_COUNT = -1;
/** ClientId.BYTE_LENGTH. */
export const CLIENT_ID_LENGTH = 16;
/** ipc.maximum.data.length / ipc.maximum.response.length default: 128 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 134_217_728;
/** Length prefix of every frame. */
export const FRAME_LENGTH_BYTES = 4;
