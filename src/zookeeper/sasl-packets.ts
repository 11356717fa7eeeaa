// ZooKeeper's SASL packets (jute records of zookeeper.jute), as ClientCnxn.sendPacket writes them for
// ZooKeeperSaslClient and ZooKeeperServer.processSasl answers them:
//
//   request:  int32 length | RequestHeader { int xid; int type = OpCode.sasl (102) } | GetSASLRequest { buffer token }
//   reply:    int32 length | ReplyHeader { int xid; long zxid; int err } | SetSASLResponse { buffer token }
//
// A jute buffer is an int32 byte count (-1 for null) and the bytes. The xid is an ordinary request
// xid (ClientCnxn.getXid), answered in order. A refused exchange is answered with err AUTHFAILED
// (-115), or SESSIONCLOSEDREQUIRESASLAUTH (-124) when the server requires SASL, and the server
// then closes the connection.

/** ZooDefs.OpCode.sasl. */
export const OPCODE_SASL = 102;
/** KeeperException.Code.AUTHFAILED. */
export const ERR_AUTHFAILED = -115;
/** KeeperException.Code.SESSIONCLOSEDREQUIRESASLAUTH. */
export const ERR_SESSIONCLOSEDREQUIRESASLAUTH = -124;

export interface SaslReply {
  readonly xid: number;
  readonly zxid: bigint;
  /** 0: OK; else a KeeperException code. */
  readonly err: number;
  /** The server's token; null when it sent none (the last GSSAPI answer, or a refusal). */
  readonly token: Uint8Array | null;
}

/** One framed GetSASLRequest (length prefix included). */
export function encodeSaslRequest(xid: number, token: Uint8Array): Buffer {
  const frame = Buffer.alloc(4 + 4 + 4 + 4 + token.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt32BE(xid, 4);
  frame.writeInt32BE(OPCODE_SASL, 8);
  frame.writeInt32BE(token.length, 12);
  Buffer.from(token.buffer, token.byteOffset, token.byteLength).copy(frame, 16);
  return frame;
}

/** A reply frame without its length prefix. Throws on a malformed one. */
export function decodeSaslReply(frame: Uint8Array): SaslReply {
  const buffer = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buffer.length < 16) throw new Error(`SASL reply of ${buffer.length} bytes is too short`);
  const xid = buffer.readInt32BE(0);
  const zxid = buffer.readBigInt64BE(4);
  const err = buffer.readInt32BE(12);
  if (buffer.length < 20) return { xid, zxid, err, token: null };
  const length = buffer.readInt32BE(16);
  if (length < 0) return { xid, zxid, err, token: null };
  if (20 + length > buffer.length)
    throw new Error(`SASL reply token of ${length} bytes exceeds the ${buffer.length}-byte frame`);
  return { xid, zxid, err, token: new Uint8Array(buffer.subarray(20, 20 + length)) };
}

/** A KeeperException code as its name, for messages. */
export function saslErrName(err: number): string {
  if (err === ERR_AUTHFAILED) return 'AUTHFAILED';
  if (err === ERR_SESSIONCLOSEDREQUIRESASLAUTH) return 'SESSIONCLOSEDREQUIRESASLAUTH';
  return `error ${err}`;
}
