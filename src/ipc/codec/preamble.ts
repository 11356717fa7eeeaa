// The 7-byte connection preamble a client sends once per TCP connection: "hrpc", IPC version,
// service class, auth protocol (docs/hadoop-compat.md §1.2). The server never answers a good preamble; how it answers
// a bad one is decided by the server from the classification returned here (docs/hadoop-compat.md §1.10).

import { AuthProtocol, DEFAULT_SERVICE_CLASS, IPC_VERSION, PREAMBLE_LENGTH, RPC_MAGIC } from './constants.js';

export interface PreambleOptions {
  /** AuthProtocol.NONE (SIMPLE auth, default) or AuthProtocol.SASL. */
  readonly authProtocol?: number;
  readonly serviceClass?: number;
  /** Only tests send other versions. */
  readonly version?: number;
}

export function encodePreamble(options: PreambleOptions = {}): Uint8Array {
  const out = new Uint8Array(PREAMBLE_LENGTH);
  out.set(RPC_MAGIC, 0);
  out[4] = (options.version ?? IPC_VERSION) & 0xff;
  out[5] = (options.serviceClass ?? DEFAULT_SERVICE_CLASS) & 0xff;
  out[6] = (options.authProtocol ?? AuthProtocol.NONE) & 0xff;
  return out;
}

/** ASCII "GET ": someone pointed an HTTP client at the IPC port. */
const HTTP_GET = new Uint8Array([0x47, 0x45, 0x54, 0x20]);

export type PreambleCheck =
  /** A good preamble. authProtocol is the signed byte; the caller decides whether it knows it. */
  | { readonly kind: 'ok'; readonly serviceClass: number; readonly authProtocol: number }
  /** The first four bytes are "GET ". */
  | { readonly kind: 'http' }
  /** Wrong magic or version. `version` is the signed version byte, as Java reads it. */
  | { readonly kind: 'badVersion'; readonly version: number; readonly magicOk: boolean };

const signedByte = (byte: number): number => (byte << 24) >> 24;

/**
 * Classify the first 7 bytes of a connection. `bytes` must hold at least PREAMBLE_LENGTH bytes
 * (only those are looked at). Parity: Server.Connection.readAndProcess checks "GET " first, then
 * magic and version together.
 */
export function checkPreamble(bytes: Uint8Array): PreambleCheck {
  if (bytes.length < PREAMBLE_LENGTH)
    throw new RangeError(`checkPreamble needs ${PREAMBLE_LENGTH} bytes, got ${bytes.length}`);
  if (startsWith(bytes, HTTP_GET)) return { kind: 'http' };
  const magicOk = startsWith(bytes, RPC_MAGIC);
  const version = signedByte(bytes[4] ?? 0);
  if (!magicOk || version !== IPC_VERSION) return { kind: 'badVersion', version, magicOk };
  return { kind: 'ok', serviceClass: bytes[5] ?? 0, authProtocol: signedByte(bytes[6] ?? 0) };
}

/** True when the first bytes are "GET " (decidable after 4 bytes, before the full preamble). */
export function looksLikeHttpGet(bytes: Uint8Array): boolean {
  return bytes.length >= HTTP_GET.length && startsWith(bytes, HTTP_GET);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
