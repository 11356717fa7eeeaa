// The GSSAPI binding: MIT Kerberos' libgssapi_krb5.so.2 (Debian's libgssapi-krb5-2, present on every
// host with Kerberos) called through koffi, a maintained FFI whose npm package ships its native
// part. All Kerberos is MIT's: this module only declares the RFC 2744 C functions it calls and
// moves bytes in and out (initiator and acceptor security contexts, wrap / unwrap, credentials
// from a credential cache or a keytab through gss_acquire_cred_from's credential store).
// Why not the `kerberos` npm package: on Unix its wrap() ignores the data it is given and always
// builds a SASL security-layer message (src/unix/kerberos_gss.cc, authenticate_gss_client_wrap,
// takes the `user` branch for every call), so Hadoop's integrity and privacy protection cannot be
// done with it, and it has no way to name a credential cache or keytab per context.
// The binding is loaded on first use (loadGssapi): a cluster on SIMPLE authentication never loads
// it. Calls that may talk to a KDC (initiating or accepting a context, acquiring credentials) run
// on a worker thread so the event loop never waits on the network; wrap and unwrap run inline.
// One security context must not be used by two operations at once (GSSAPI contexts are not
// thread-safe): callers serialise per context (src/kerberos/sasl-gssapi.ts does).

import { ZkfcError } from '../errors.js';

/** What to install when the binding cannot load. */
export const GSSAPI_INSTALL_HINT =
  'Kerberos needs MIT Kerberos (Debian: apt-get install libgssapi-krb5-2 krb5-user) and the optional npm ' +
  'dependency koffi (npm install koffi)';

export type GssErrorCode = 'KERBEROS_UNAVAILABLE' | 'KERBEROS_GSS_FAILED';

/** The binding could not be loaded (koffi or libgssapi_krb5 missing). */
export class GssUnavailableError extends ZkfcError<GssErrorCode> {
  readonly code = 'KERBEROS_UNAVAILABLE';
}

/** A GSSAPI call failed; the message is MIT's major and minor status texts (never key material). */
export class GssError extends ZkfcError<GssErrorCode> {
  readonly code = 'KERBEROS_GSS_FAILED';
  constructor(
    /** The GSSAPI function that failed, e.g. gss_init_sec_context. */
    readonly operation: string,
    readonly major: number,
    readonly minor: number,
    /** MIT's texts: the major status, then the mechanism's minor status. */
    readonly reason: string,
  ) {
    super(`${operation}: ${reason}`);
  }
}

/** GSS_C_* request flags (RFC 2744). */
export const GssFlag = {
  DELEG: 1,
  MUTUAL: 2,
  REPLAY: 4,
  SEQUENCE: 8,
  CONF: 16,
  INTEG: 32,
} as const;

/** An initiator (client) security context. */
export interface GssInitiator {
  /** One gss_init_sec_context step: the acceptor's token in (empty at first), ours out (maybe empty). */
  step(input: Uint8Array): Promise<Uint8Array>;
  /** True once the context is established (GSS_S_COMPLETE). */
  readonly complete: boolean;
  /** Our own principal as the context names it (gss_inquire_context), once complete. */
  readonly sourceName: string | undefined;
  /** gss_wrap; `confidential` asks for encryption (else integrity only). */
  wrap(data: Uint8Array, confidential: boolean): Uint8Array;
  /** gss_unwrap; `confidential` says whether the token was encrypted. */
  unwrap(token: Uint8Array): { data: Uint8Array; confidential: boolean };
  /** gss_wrap_size_limit: the largest input whose wrapped token fits `outputBytes`. */
  wrapSizeLimit(confidential: boolean, outputBytes: number): number;
  /** Release the context and its names and credentials. Idempotent. */
  dispose(): void;
}

/** An acceptor (server) security context. */
export interface GssAcceptor {
  step(input: Uint8Array): Promise<Uint8Array>;
  readonly complete: boolean;
  /** The initiator's principal, once complete. */
  readonly sourceName: string | undefined;
  wrap(data: Uint8Array, confidential: boolean): Uint8Array;
  unwrap(token: Uint8Array): { data: Uint8Array; confidential: boolean };
  /** gss_wrap_size_limit: the largest input whose wrapped token fits `outputBytes`. */
  wrapSizeLimit(confidential: boolean, outputBytes: number): number;
  dispose(): void;
}

/** Where credentials come from (gss_acquire_cred_from's credential store); nothing: the process default. */
export interface GssCredentialStore {
  /** A credential cache, e.g. FILE:/run/zkfc/krb5cc. */
  readonly ccache?: string;
  /** A keytab the initiator may get initial credentials from (MIT's client keytab). */
  readonly clientKeytab?: string;
  /** A keytab with the acceptor's keys. */
  readonly keytab?: string;
}

export interface InitiatorOptions {
  /**
   * The acceptor as a host-based service name, `service@host` (GSS_C_NT_HOSTBASED_SERVICE), as Java's
   * SASL GSSAPI names it.
   */
  readonly service: string;
  readonly host: string;
  /** GssFlag bits. */
  readonly flags: number;
  /** Our principal; default: the credential cache's default principal. */
  readonly principal?: string;
  readonly credentials?: GssCredentialStore;
}

export interface AcceptorOptions {
  /** Our principal (a service principal in the keytab); default: any key of the keytab. */
  readonly principal?: string;
  readonly credentials?: GssCredentialStore;
}

export interface CredentialInfo {
  /** The principal the credentials are for. */
  readonly principal: string;
  /** Seconds until they expire (0 when expired); undefined for indefinite. */
  readonly lifetimeSec: number | undefined;
}

export interface Gssapi {
  initiator(options: InitiatorOptions): GssInitiator;
  acceptor(options: AcceptorOptions): GssAcceptor;
  /** gss_acquire_cred_from + gss_inquire_cred for initiating: who we are and how long for. */
  inquireCredentials(options: {
    readonly principal?: string;
    readonly credentials?: GssCredentialStore;
  }): Promise<CredentialInfo>;
}

// ---------------------------------------------------------------------------------------------
// The binding

const GSS_S_CONTINUE_NEEDED = 1;
const GSS_C_GSS_CODE = 1;
const GSS_C_MECH_CODE = 2;
const GSS_C_INITIATE = 1;
const GSS_C_ACCEPT = 2;
const GSS_C_INDEFINITE = 0xffffffff;
const GSS_C_QOP_DEFAULT = 0;
const isError = (major: number): boolean => (major & 0xffff0000) !== 0;

/** 1.2.840.113554.1.2.1.4, GSS_C_NT_HOSTBASED_SERVICE. */
const OID_HOSTBASED_SERVICE = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x01, 0x04]);
/** 1.2.840.113554.1.2.2.1, GSS_KRB5_NT_PRINCIPAL_NAME. */
const OID_KRB5_PRINCIPAL_NAME = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01]);
/** 1.2.840.113554.1.2.2, the Kerberos 5 mechanism. */
const OID_KRB5_MECH = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);

type Pointer = unknown;
interface BufferDesc {
  length: number | bigint;
  value: Pointer;
}
type Call = (...args: unknown[]) => number;
interface AsyncCall extends Call {
  async: (...args: unknown[]) => void;
}
interface Koffi {
  load(path: string): { func(prototype: string): AsyncCall };
  struct(name: string, fields: Record<string, unknown>): unknown;
  opaque(name: string): unknown;
  pointer(type: unknown): unknown;
  view(pointer: Pointer, length: number): ArrayBuffer;
}

interface Lib {
  importName: AsyncCall;
  displayName: AsyncCall;
  releaseName: AsyncCall;
  releaseBuffer: AsyncCall;
  displayStatus: AsyncCall;
  acquireCredFrom: AsyncCall;
  inquireCred: AsyncCall;
  releaseCred: AsyncCall;
  initSecContext: AsyncCall;
  acceptSecContext: AsyncCall;
  inquireContext: AsyncCall;
  deleteSecContext: AsyncCall;
  wrap: AsyncCall;
  unwrap: AsyncCall;
  wrapSizeLimit: AsyncCall;
  koffi: Koffi;
}

let loading: Promise<Gssapi> | undefined;

/** The binding, loaded once; rejects with GssUnavailableError naming what to install. */
export function loadGssapi(): Promise<Gssapi> {
  loading ??= (async () => {
    let koffi: Koffi;
    try {
      const module = (await import('koffi')) as unknown as { default?: Koffi } & Koffi;
      koffi = module.default ?? module;
    } catch (cause) {
      throw new GssUnavailableError(`cannot load koffi (${GSSAPI_INSTALL_HINT})`, { cause });
    }
    try {
      return new KoffiGssapi(bind(koffi));
    } catch (cause) {
      throw new GssUnavailableError(
        `cannot load libgssapi_krb5.so.2: ${cause instanceof Error ? cause.message : String(cause)} ` +
          `(${GSSAPI_INSTALL_HINT})`,
        { cause },
      );
    }
  })();
  const attempt = loading;
  attempt.catch(() => {
    if (loading === attempt) loading = undefined;
  });
  return attempt;
}

function bind(koffi: Koffi): Lib {
  const lib = koffi.load('libgssapi_krb5.so.2');
  koffi.struct('zkfc_gss_buffer_desc', { length: 'size_t', value: 'void *' });
  koffi.struct('zkfc_gss_OID_desc', { length: 'uint32_t', elements: 'void *' });
  koffi.struct('zkfc_gss_kv_element', { key: 'const char *', value: 'const char *' });
  koffi.struct('zkfc_gss_kv_set', { count: 'uint32_t', elements: 'zkfc_gss_kv_element *' });
  koffi.opaque('zkfc_gss_name');
  koffi.opaque('zkfc_gss_ctx');
  koffi.opaque('zkfc_gss_cred');
  const f = (prototype: string): AsyncCall => lib.func(prototype);
  return {
    koffi,
    importName: f(
      'uint32_t gss_import_name(_Out_ uint32_t *minor, zkfc_gss_buffer_desc *name, zkfc_gss_OID_desc *type, ' +
        '_Out_ zkfc_gss_name **out)',
    ),
    displayName: f(
      'uint32_t gss_display_name(_Out_ uint32_t *minor, zkfc_gss_name *name, _Out_ zkfc_gss_buffer_desc *out, ' +
        'void *type)',
    ),
    releaseName: f('uint32_t gss_release_name(_Out_ uint32_t *minor, _Inout_ zkfc_gss_name **name)'),
    releaseBuffer: f('uint32_t gss_release_buffer(_Out_ uint32_t *minor, zkfc_gss_buffer_desc *buffer)'),
    displayStatus: f(
      'uint32_t gss_display_status(_Out_ uint32_t *minor, uint32_t status, int type, zkfc_gss_OID_desc *mech, ' +
        '_Inout_ uint32_t *context, _Out_ zkfc_gss_buffer_desc *out)',
    ),
    acquireCredFrom: f(
      'uint32_t gss_acquire_cred_from(_Out_ uint32_t *minor, zkfc_gss_name *name, uint32_t time, void *mechs, ' +
        'int usage, zkfc_gss_kv_set *store, _Out_ zkfc_gss_cred **cred, void *actualMechs, _Out_ uint32_t *timeRec)',
    ),
    inquireCred: f(
      'uint32_t gss_inquire_cred(_Out_ uint32_t *minor, zkfc_gss_cred *cred, _Out_ zkfc_gss_name **name, ' +
        '_Out_ uint32_t *lifetime, _Out_ int *usage, void *mechs)',
    ),
    releaseCred: f('uint32_t gss_release_cred(_Out_ uint32_t *minor, _Inout_ zkfc_gss_cred **cred)'),
    initSecContext: f(
      'uint32_t gss_init_sec_context(_Out_ uint32_t *minor, zkfc_gss_cred *cred, _Inout_ zkfc_gss_ctx **ctx, ' +
        'zkfc_gss_name *target, zkfc_gss_OID_desc *mech, uint32_t flags, uint32_t time, void *bindings, ' +
        'zkfc_gss_buffer_desc *input, void *actualMech, _Out_ zkfc_gss_buffer_desc *output, ' +
        '_Out_ uint32_t *retFlags, ' +
        '_Out_ uint32_t *timeRec)',
    ),
    acceptSecContext: f(
      'uint32_t gss_accept_sec_context(_Out_ uint32_t *minor, _Inout_ zkfc_gss_ctx **ctx, zkfc_gss_cred *cred, ' +
        'zkfc_gss_buffer_desc *input, void *bindings, _Out_ zkfc_gss_name **source, void *mech, ' +
        '_Out_ zkfc_gss_buffer_desc *output, _Out_ uint32_t *retFlags, _Out_ uint32_t *timeRec, void *delegated)',
    ),
    inquireContext: f(
      'uint32_t gss_inquire_context(_Out_ uint32_t *minor, zkfc_gss_ctx *ctx, _Out_ zkfc_gss_name **source, ' +
        'void *target, void *lifetime, void *mech, void *flags, void *local, void *open)',
    ),
    deleteSecContext: f(
      'uint32_t gss_delete_sec_context(_Out_ uint32_t *minor, _Inout_ zkfc_gss_ctx **ctx, void *out)',
    ),
    wrap: f(
      'uint32_t gss_wrap(_Out_ uint32_t *minor, zkfc_gss_ctx *ctx, int conf, uint32_t qop, ' +
        'zkfc_gss_buffer_desc *input, ' +
        '_Out_ int *confState, _Out_ zkfc_gss_buffer_desc *output)',
    ),
    unwrap: f(
      'uint32_t gss_unwrap(_Out_ uint32_t *minor, zkfc_gss_ctx *ctx, zkfc_gss_buffer_desc *input, ' +
        '_Out_ zkfc_gss_buffer_desc *output, _Out_ int *confState, _Out_ uint32_t *qopState)',
    ),
    wrapSizeLimit: f(
      'uint32_t gss_wrap_size_limit(_Out_ uint32_t *minor, zkfc_gss_ctx *ctx, int conf, uint32_t qop, ' +
        'uint32_t outputSize, _Out_ uint32_t *maxInput)',
    ),
  };
}

const oid = (bytes: Buffer): { length: number; elements: Buffer } => ({ length: bytes.length, elements: bytes });
const inBuffer = (bytes: Uint8Array): { length: number; value: Uint8Array | null } => ({
  length: bytes.length,
  value: bytes.length > 0 ? bytes : null,
});

function callAsync(fn: AsyncCall, args: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error: unknown, major: number) =>
      error
        ? reject(error instanceof Error ? error : new Error('koffi call failed', { cause: error }))
        : resolve(major),
    );
  });
}

class KoffiGssapi implements Gssapi {
  constructor(private readonly lib: Lib) {}

  /** Copy an output buffer into JS memory and release it. */
  take(buffer: BufferDesc): Uint8Array {
    const length = Number(buffer.length);
    const bytes = length > 0 ? new Uint8Array(this.lib.koffi.view(buffer.value, length).slice(0)) : new Uint8Array(0);
    if (buffer.value) this.lib.releaseBuffer([0], buffer);
    return bytes;
  }

  /** MIT's texts for a failed call: every major status line, then the Kerberos mechanism's minor lines. */
  statusText(major: number, minor: number): string {
    const lines = [
      ...this.statusLines(major, GSS_C_GSS_CODE),
      ...(minor !== 0 ? this.statusLines(minor, GSS_C_MECH_CODE) : []),
    ];
    return [...new Set(lines)].join(': ');
  }

  private statusLines(status: number, type: number): string[] {
    const lines: string[] = [];
    const context = [0];
    for (let i = 0; i < 8; i++) {
      const out: Partial<BufferDesc> = {};
      const major = this.lib.displayStatus([0], status, type, oid(OID_KRB5_MECH), context, out);
      if (isError(major)) break;
      const text = Buffer.from(this.take(out as BufferDesc))
        .toString('utf8')
        .trim();
      if (text !== '') lines.push(text);
      if (context[0] === 0) break;
    }
    return lines;
  }

  check(operation: string, major: number, minor: number): void {
    if (isError(major)) throw new GssError(operation, major, minor, this.statusText(major, minor));
  }

  importName(name: string, type: Buffer): Pointer {
    const bytes = Buffer.from(name, 'utf8');
    const minor = [0];
    const out: Pointer[] = [null];
    const major = this.lib.importName(minor, inBuffer(bytes), oid(type), out);
    this.check('gss_import_name', major, minor[0]!);
    return out[0];
  }

  displayName(name: Pointer): string {
    const out: Partial<BufferDesc> = {};
    const minor = [0];
    const major = this.lib.displayName(minor, name, out, null);
    this.check('gss_display_name', major, minor[0]!);
    return Buffer.from(this.take(out as BufferDesc)).toString('utf8');
  }

  releaseName(name: Pointer): void {
    if (name) this.lib.releaseName([0], [name]);
  }

  releaseCred(cred: Pointer): void {
    if (cred) this.lib.releaseCred([0], [cred]);
  }

  /** gss_acquire_cred_from for `usage`; null (GSS_C_NO_CREDENTIAL) when nothing is asked for. */
  async acquire(principal: string | undefined, store: GssCredentialStore | undefined, usage: number): Promise<Pointer> {
    const elements = [
      ...(store?.ccache !== undefined ? [{ key: 'ccache', value: store.ccache }] : []),
      ...(store?.clientKeytab !== undefined ? [{ key: 'client_keytab', value: store.clientKeytab }] : []),
      ...(store?.keytab !== undefined ? [{ key: 'keytab', value: store.keytab }] : []),
    ];
    if (principal === undefined && elements.length === 0) return null;
    const name = principal !== undefined ? this.importName(principal, OID_KRB5_PRINCIPAL_NAME) : null;
    try {
      const minor = [0];
      const cred: Pointer[] = [null];
      const major = await callAsync(this.lib.acquireCredFrom, [
        minor,
        name,
        GSS_C_INDEFINITE,
        null,
        usage,
        elements.length > 0 ? { count: elements.length, elements } : null,
        cred,
        null,
        [0],
      ]);
      this.check('gss_acquire_cred_from', major, minor[0]!);
      return cred[0];
    } finally {
      this.releaseName(name);
    }
  }

  initiator(options: InitiatorOptions): GssInitiator {
    return new KoffiInitiator(this, this.lib, options);
  }

  acceptor(options: AcceptorOptions): GssAcceptor {
    return new KoffiAcceptor(this, this.lib, options);
  }

  async inquireCredentials(options: {
    readonly principal?: string;
    readonly credentials?: GssCredentialStore;
  }): Promise<CredentialInfo> {
    const cred = await this.acquire(options.principal, options.credentials ?? {}, GSS_C_INITIATE);
    try {
      const minor = [0];
      const name: Pointer[] = [null];
      const lifetime = [0];
      const major = await callAsync(this.lib.inquireCred, [minor, cred, name, lifetime, [0], null]);
      this.check('gss_inquire_cred', major, minor[0]!);
      try {
        return {
          principal: this.displayName(name[0]),
          lifetimeSec: lifetime[0] === GSS_C_INDEFINITE ? undefined : lifetime[0],
        };
      } finally {
        this.releaseName(name[0]);
      }
    } finally {
      this.releaseCred(cred);
    }
  }

  wrap(context: Pointer, data: Uint8Array, confidential: boolean): Uint8Array {
    const minor = [0];
    const out: Partial<BufferDesc> = {};
    const major = this.lib.wrap(minor, context, confidential ? 1 : 0, GSS_C_QOP_DEFAULT, inBuffer(data), [0], out);
    this.check('gss_wrap', major, minor[0]!);
    return this.take(out as BufferDesc);
  }

  unwrap(context: Pointer, token: Uint8Array): { data: Uint8Array; confidential: boolean } {
    const minor = [0];
    const out: Partial<BufferDesc> = {};
    const conf = [0];
    const major = this.lib.unwrap(minor, context, inBuffer(token), out, conf, [0]);
    this.check('gss_unwrap', major, minor[0]!);
    return { data: this.take(out as BufferDesc), confidential: conf[0] !== 0 };
  }

  wrapSizeLimit(context: Pointer, confidential: boolean, outputBytes: number): number {
    const minor = [0];
    const max = [0];
    const major = this.lib.wrapSizeLimit(minor, context, confidential ? 1 : 0, GSS_C_QOP_DEFAULT, outputBytes, max);
    this.check('gss_wrap_size_limit', major, minor[0]!);
    return max[0]!;
  }

  deleteContext(context: Pointer): void {
    if (context) this.lib.deleteSecContext([0], [context], null);
  }

  sourceName(context: Pointer): string {
    const minor = [0];
    const source: Pointer[] = [null];
    const major = this.lib.inquireContext(minor, context, source, null, null, null, null, null, null);
    this.check('gss_inquire_context', major, minor[0]!);
    try {
      return this.displayName(source[0]);
    } finally {
      this.releaseName(source[0]);
    }
  }
}

class KoffiInitiator implements GssInitiator {
  complete = false;
  sourceName: string | undefined;
  private context: Pointer = null;
  private target: Pointer = null;
  private cred: Pointer = null;
  private started = false;
  private disposed = false;

  constructor(
    private readonly gss: KoffiGssapi,
    private readonly lib: Lib,
    private readonly options: InitiatorOptions,
  ) {}

  async step(input: Uint8Array): Promise<Uint8Array> {
    if (this.disposed) throw new GssError('gss_init_sec_context', 0, 0, 'the security context was released');
    if (!this.started) {
      this.started = true;
      this.target = this.gss.importName(`${this.options.service}@${this.options.host}`, OID_HOSTBASED_SERVICE);
      this.cred = await this.gss.acquire(this.options.principal, this.options.credentials, GSS_C_INITIATE);
    }
    const minor = [0];
    const context = [this.context];
    const out: Partial<BufferDesc> = {};
    const major = await callAsync(this.lib.initSecContext, [
      minor,
      this.cred,
      context,
      this.target,
      oid(OID_KRB5_MECH),
      this.options.flags,
      0,
      null,
      inBuffer(input),
      null,
      out,
      [0],
      [0],
    ]);
    this.context = context[0];
    const token = out.value ? this.gss.take(out as BufferDesc) : new Uint8Array(0);
    this.gss.check('gss_init_sec_context', major, minor[0]!);
    if ((major & GSS_S_CONTINUE_NEEDED) === 0) {
      this.complete = true;
      this.sourceName = this.gss.sourceName(this.context);
    }
    return token;
  }

  wrap(data: Uint8Array, confidential: boolean): Uint8Array {
    return this.gss.wrap(this.established('gss_wrap'), data, confidential);
  }

  unwrap(token: Uint8Array): { data: Uint8Array; confidential: boolean } {
    return this.gss.unwrap(this.established('gss_unwrap'), token);
  }

  wrapSizeLimit(confidential: boolean, outputBytes: number): number {
    return this.gss.wrapSizeLimit(this.established('gss_wrap_size_limit'), confidential, outputBytes);
  }

  private established(operation: string): Pointer {
    if (!this.complete || this.disposed || !this.context)
      throw new GssError(operation, 0, 0, 'the security context is not established');
    return this.context;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.gss.deleteContext(this.context);
    this.gss.releaseName(this.target);
    this.gss.releaseCred(this.cred);
    this.context = this.target = this.cred = null;
  }
}

class KoffiAcceptor implements GssAcceptor {
  complete = false;
  sourceName: string | undefined;
  private context: Pointer = null;
  private cred: Pointer = null;
  private started = false;
  private disposed = false;

  constructor(
    private readonly gss: KoffiGssapi,
    private readonly lib: Lib,
    private readonly options: AcceptorOptions,
  ) {}

  async step(input: Uint8Array): Promise<Uint8Array> {
    if (this.disposed) throw new GssError('gss_accept_sec_context', 0, 0, 'the security context was released');
    if (!this.started) {
      this.started = true;
      this.cred = await this.gss.acquire(this.options.principal, this.options.credentials, GSS_C_ACCEPT);
    }
    const minor = [0];
    const context = [this.context];
    const source: Pointer[] = [null];
    const out: Partial<BufferDesc> = {};
    const major = await callAsync(this.lib.acceptSecContext, [
      minor,
      context,
      this.cred,
      inBuffer(input),
      null,
      source,
      null,
      out,
      [0],
      [0],
      null,
    ]);
    this.context = context[0];
    const token = out.value ? this.gss.take(out as BufferDesc) : new Uint8Array(0);
    try {
      this.gss.check('gss_accept_sec_context', major, minor[0]!);
      if ((major & GSS_S_CONTINUE_NEEDED) === 0) {
        this.complete = true;
        this.sourceName = this.gss.displayName(source[0]);
      }
    } finally {
      this.gss.releaseName(source[0]);
    }
    return token;
  }

  wrap(data: Uint8Array, confidential: boolean): Uint8Array {
    return this.gss.wrap(this.established('gss_wrap'), data, confidential);
  }

  unwrap(token: Uint8Array): { data: Uint8Array; confidential: boolean } {
    return this.gss.unwrap(this.established('gss_unwrap'), token);
  }

  wrapSizeLimit(confidential: boolean, outputBytes: number): number {
    return this.gss.wrapSizeLimit(this.established('gss_wrap_size_limit'), confidential, outputBytes);
  }

  private established(operation: string): Pointer {
    if (!this.complete || this.disposed || !this.context)
      throw new GssError(operation, 0, 0, 'the security context is not established');
    return this.context;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.gss.deleteContext(this.context);
    this.gss.releaseCred(this.cred);
    this.context = this.cred = null;
  }
}
