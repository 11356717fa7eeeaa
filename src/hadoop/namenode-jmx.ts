// The local NameNode's HTTP view: its JMX beans over HTTP (Hadoop's JMXJsonServlet at /jmx) and
// /isActive (IsNameNodeActiveServlet), read and checked into the typed NameNodeHttpView of the
// port (src/runtime/ports.ts; bean and attribute names in docs/hadoop-compat.md §10.2). Five GETs
// per read, in parallel, under one deadline:
//   /jmx?qry=Hadoop:service=NameNode,name=NameNodeStatus            State, NNRole, HostAndPort, ...
//   /jmx?qry=Hadoop:service=NameNode,name=FSNamesystem              tag.HAState, MillisSinceLastLoadedEdits, ...
//   /jmx?get=Hadoop:service=NameNode,name=NameNodeInfo::Safemode
//   /jmx?get=Hadoop:service=NameNode,name=NameNodeInfo::JournalTransactionInfo
//   /isActive                                                        200 or 405
// NameNodeInfo is read one attribute at a time (JMXJsonServlet's `get=<bean>::<attribute>`): the
// whole bean carries LiveNodes, DeadNodes and CorruptFiles, megabytes on a large cluster that the
// NameNode computes under its namesystem lock; polling it every few seconds would cost the
// NameNode far more than the two strings we need.
//
// Transport: node:http, not undici. The daemon loads node:http anyway (its status listener), and
// loading undici costs about 17 MiB of resident memory in an idle Node process (measured: `node -e
// 'require("undici")'` 60.8 MiB against 40.6 MiB bare) against the daemon's 50 MiB idle target
// (README "Daemon resources while idle"). The /stacks capture (namenode-stacks.ts) reads through
// httpGet too.
// Each request has its own agent-less connection (`agent: false`, Connection: close: no idle
// socket stays open between reads), one hard deadline that destroys the socket whatever phase it
// is in (connect, headers, a body trickling in), and a body bound past which the read stops.
// No redirect is followed. Nothing read here reaches a shell; text from the NameNode reaches logs
// and status only bounded and with control characters made visible (untrusted.ts).

import http from 'node:http';
import type { HAServiceState, HostPort, NamenodeTarget } from '../core/types.js';
import { untrustedText } from '../observability/untrusted.js';
import type {
  NameNodeHttpFailure,
  NameNodeHttpFailureKind,
  NameNodeHttpReader,
  NameNodeHttpResult,
  NameNodeHttpView,
  NameNodeTxidReader,
} from '../runtime/ports.js';

/** The most of one answer that is read; a bigger one fails the read as tooLarge. */
export const NAMENODE_HTTP_MAX_BODY_BYTES = 1024 * 1024;

/** Bean names (ObjectNames) the NameNode registers (NameNode, FSNamesystem#registerMBean). */
export const NAMENODE_STATUS_BEAN = 'Hadoop:service=NameNode,name=NameNodeStatus';
export const FSNAMESYSTEM_BEAN = 'Hadoop:service=NameNode,name=FSNamesystem';
export const NAMENODE_INFO_BEAN = 'Hadoop:service=NameNode,name=NameNodeInfo';

/** The paths of one read, in the order above. */
export const NAMENODE_HTTP_PATHS = {
  status: `/jmx?qry=${NAMENODE_STATUS_BEAN}`,
  namesystem: `/jmx?qry=${FSNAMESYSTEM_BEAN}`,
  safemode: `/jmx?get=${NAMENODE_INFO_BEAN}::Safemode`,
  journal: `/jmx?get=${NAMENODE_INFO_BEAN}::JournalTransactionInfo`,
  isActive: '/isActive',
} as const;

/** A failed read as the port names it (thrown inside this adapter only; read() resolves to it). */
export class ReadFailure extends Error {
  constructor(readonly failure: NameNodeHttpFailure) {
    super(failure.message);
    this.name = 'ReadFailure';
  }
}

function fail(kind: NameNodeHttpFailureKind, url: string, what: string): ReadFailure {
  return new ReadFailure({ kind, url, message: `GET ${url}: ${what}` });
}

/** One HTTP answer: its status, its Location (for redirects) and the body bytes. */
export interface HttpAnswer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: Buffer;
  /** True when the body was cut at the bound (httpGet's `truncate`). */
  readonly truncated?: boolean;
}

/** How httpGet asks and what it does with a body above its bound. */
export interface HttpGetOptions {
  /** The Accept header (default application/json: the JMX servlet and /isActive). */
  readonly accept?: string;
  /** Keep the first maxBodyBytes and stop reading (the answer is `truncated`), instead of failing tooLarge. */
  readonly truncate?: boolean;
}

export interface NameNodeJmxReaderOptions {
  /** The NameNode's HTTP address (dfs.namenode.http-address.<ns>.<nn>). */
  readonly httpAddress: HostPort;
  /** Bound on each answer; default NAMENODE_HTTP_MAX_BODY_BYTES. */
  readonly maxBodyBytes?: number;
}

/** The production NameNodeHttpReader: plain HTTP to the NameNode's http-address. */
export class NameNodeJmxReader implements NameNodeHttpReader {
  readonly baseUrl: string;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: NameNodeJmxReaderOptions) {
    const { host, port } = options.httpAddress;
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.maxBodyBytes = options.maxBodyBytes ?? NAMENODE_HTTP_MAX_BODY_BYTES;
  }

  async read(timeoutMs: number): Promise<NameNodeHttpResult> {
    try {
      const get = (path: string): Promise<HttpAnswer> =>
        httpGet(this.options.httpAddress, path, `${this.baseUrl}${path}`, timeoutMs, this.maxBodyBytes);
      const [status, namesystem, safemode, journal, isActive] = await Promise.all([
        get(NAMENODE_HTTP_PATHS.status),
        get(NAMENODE_HTTP_PATHS.namesystem),
        get(NAMENODE_HTTP_PATHS.safemode),
        get(NAMENODE_HTTP_PATHS.journal),
        get(NAMENODE_HTTP_PATHS.isActive),
      ]);
      return {
        ok: true,
        view: parseNameNodeHttpView(this.baseUrl, { status, namesystem, safemode, journal, isActive }),
      };
    } catch (error) {
      if (error instanceof ReadFailure) return { ok: false, failure: error.failure };
      // A bug of ours, not the NameNode's: still a failure of this read, never a throw into the runtime.
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        failure: { kind: 'malformed', url: this.baseUrl, message: `reading ${this.baseUrl}: ${message}` },
      };
    }
  }
}

/**
 * The readiness gate's view of any NameNode: one small GET of NameNodeInfo.JournalTransactionInfo
 * (the attribute alone, never the whole bean) at the NameNode's HTTP address, or `httpAddressOf`'s
 * refusal (for instance dfs.http.policy HTTPS_ONLY) as the failure.
 */
export class NameNodeJmxTxidReader implements NameNodeTxidReader {
  constructor(
    private readonly httpAddressOf: (namenode: NamenodeTarget) => HostPort | string,
    private readonly maxBodyBytes = 64 * 1024,
  ) {}

  async read(
    namenode: NamenodeTarget,
    timeoutMs: number,
  ): Promise<{ readonly ok: true; readonly txid: number } | { readonly ok: false; readonly message: string }> {
    const address = this.httpAddressOf(namenode);
    if (typeof address === 'string') return { ok: false, message: address };
    const base = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    const url = `${base}${NAMENODE_HTTP_PATHS.journal}`;
    try {
      const answer = await httpGet(address, NAMENODE_HTTP_PATHS.journal, url, timeoutMs, this.maxBodyBytes);
      const bean = new BeanFields(jmxBean(url, answer, NAMENODE_INFO_BEAN), url);
      return {
        ok: true,
        txid: parseJournalTransactionInfo(url, bean.string('JournalTransactionInfo')).lastAppliedOrWrittenTxId,
      };
    } catch (error) {
      if (error instanceof ReadFailure) return { ok: false, message: error.failure.message };
      return { ok: false, message: `reading ${url}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

/**
 * GET `path` from `address` within `timeoutMs` in all, reading at most `maxBodyBytes` of a 200's
 * body (any other status resolves at once with an empty body). Rejects only with a ReadFailure
 * (unreachable, timedOut, tooLarge). Also the transport of the NameNode's /stacks capture
 * (namenode-stacks.ts), which keeps the start of a dump above its bound (`truncate`).
 */
export function httpGet(
  address: HostPort,
  path: string,
  url: string,
  timeoutMs: number,
  maxBodyBytes: number,
  options: HttpGetOptions = {},
): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: HttpAnswer | ReadFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Whatever the outcome, this connection is done (nothing is reused).
      request.destroy();
      if (outcome instanceof ReadFailure) reject(outcome);
      else resolve(outcome);
    };
    const request = http.get({
      host: address.host,
      port: address.port,
      path,
      // No agent: this connection is this request's alone and closes with it (no idle sockets).
      agent: false,
      headers: { Accept: options.accept ?? 'application/json', Connection: 'close' },
    });
    // One deadline for connect, headers and body: a NameNode that accepts and then says nothing,
    // or trickles its answer a byte at a time, is cut off here.
    const timer = setTimeout(
      () => settle(fail('timedOut', url, `no complete answer within ${timeoutMs} ms (${size} bytes read)`)),
      timeoutMs,
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      settle(fail('unreachable', url, `${error.code ?? 'error'}: ${untrustedText(error.message)}`));
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const location = typeof response.headers.location === 'string' ? response.headers.location : undefined;
      if (status !== 200) {
        // Only the status matters (405 of /isActive, an error, a redirect): the body is not read.
        settle({ status, location, body: Buffer.alloc(0) });
        return;
      }
      const declared = Number(response.headers['content-length']);
      if (!options.truncate && Number.isFinite(declared) && declared > maxBodyBytes) {
        settle(
          fail('tooLarge', url, `answer of ${declared} bytes (Content-Length) is above the ${maxBodyBytes}-byte bound`),
        );
        return;
      }
      response.on('data', (chunk: Buffer) => {
        if (size + chunk.length > maxBodyBytes) {
          if (options.truncate) {
            chunks.push(chunk.subarray(0, maxBodyBytes - size));
            size = maxBodyBytes;
            settle({ status, location, body: Buffer.concat(chunks, size), truncated: true });
          } else settle(fail('tooLarge', url, `answer above the ${maxBodyBytes}-byte bound (stopped reading there)`));
          return;
        }
        size += chunk.length;
        chunks.push(chunk);
      });
      response.on('end', () => {
        if (!response.complete) {
          settle(fail('unreachable', url, `connection closed after ${size} bytes, before the answer was complete`));
          return;
        }
        settle({ status, location, body: Buffer.concat(chunks, size) });
      });
      response.on('aborted', () =>
        settle(fail('unreachable', url, `connection closed after ${size} bytes, before the answer was complete`)),
      );
      response.on('error', (error: NodeJS.ErrnoException) =>
        settle(
          fail(
            'unreachable',
            url,
            `connection failed after ${size} bytes: ${error.code ?? untrustedText(error.message)}`,
          ),
        ),
      );
      response.on('close', () => {
        if (!settled)
          settle(fail('unreachable', url, `connection closed after ${size} bytes, before the answer was complete`));
      });
    });
  });
}

/** The five answers of one read. */
export interface NameNodeHttpAnswers {
  readonly status: HttpAnswer;
  readonly namesystem: HttpAnswer;
  readonly safemode: HttpAnswer;
  readonly journal: HttpAnswer;
  readonly isActive: HttpAnswer;
}

/** Check the answers of one read and build the view; throws a ReadFailure naming the URL and the fault. */
export function parseNameNodeHttpView(baseUrl: string, answers: NameNodeHttpAnswers): NameNodeHttpView {
  const url = (path: string): string => `${baseUrl}${path}`;
  const status = new BeanFields(
    jmxBean(url(NAMENODE_HTTP_PATHS.status), answers.status, NAMENODE_STATUS_BEAN),
    url(NAMENODE_HTTP_PATHS.status),
  );
  const namesystem = new BeanFields(
    jmxBean(url(NAMENODE_HTTP_PATHS.namesystem), answers.namesystem, FSNAMESYSTEM_BEAN),
    url(NAMENODE_HTTP_PATHS.namesystem),
  );
  const info = new BeanFields(
    jmxBean(url(NAMENODE_HTTP_PATHS.safemode), answers.safemode, NAMENODE_INFO_BEAN),
    url(NAMENODE_HTTP_PATHS.safemode),
  );
  const journalUrl = url(NAMENODE_HTTP_PATHS.journal);
  const journal = new BeanFields(jmxBean(journalUrl, answers.journal, NAMENODE_INFO_BEAN), journalUrl);
  const txids = parseJournalTransactionInfo(journalUrl, journal.string('JournalTransactionInfo'));
  const safemode = info.string('Safemode');
  return {
    state: status.haState('State'),
    nnRole: status.string('NNRole'),
    hostAndPort: status.string('HostAndPort'),
    lastHATransitionTimeMs: status.count('LastHATransitionTime'),
    securityEnabled: status.boolean('SecurityEnabled'),
    namesystemHAState: namesystem.haState('tag.HAState'),
    millisSinceLastLoadedEdits: namesystem.count('MillisSinceLastLoadedEdits'),
    lastWrittenTransactionId: namesystem.count('LastWrittenTransactionId'),
    safemode,
    inSafemode: safemode !== '',
    lastAppliedOrWrittenTxId: txids.lastAppliedOrWrittenTxId,
    mostRecentCheckpointTxId: txids.mostRecentCheckpointTxId,
    isActive: parseIsActive(url(NAMENODE_HTTP_PATHS.isActive), answers.isActive),
  };
}

/** IsActiveServlet: 200 "I am Active!" when active, 405 "I am not Active!" otherwise; anything else is a failure. */
export function parseIsActive(url: string, answer: HttpAnswer): boolean {
  if (answer.status === 200) return true;
  if (answer.status === 405) return false;
  throw statusFailure(url, answer, '200 or 405');
}

function statusFailure(url: string, answer: HttpAnswer, expected: string): ReadFailure {
  const redirect =
    answer.status >= 300 && answer.status < 400
      ? ` (a redirect${answer.location !== undefined ? ` to ${untrustedText(answer.location)}` : ''}: not followed)`
      : '';
  return fail('httpStatus', url, `answered HTTP ${answer.status}${redirect}, expected ${expected}`);
}

/**
 * The one bean named `beanName` of a JMXJsonServlet answer ({"beans": [{"name": ..., ...}]}).
 * Failures: a status other than 200, a body that is not JSON (with the byte offset of the fault),
 * no beans array, no bean of that name, or the servlet's own error ("result": "ERROR").
 */
export function jmxBean(url: string, answer: HttpAnswer, beanName: string): Record<string, unknown> {
  if (answer.status !== 200) throw statusFailure(url, answer, '200');
  const value = parseJson(url, answer.body);
  if (!isObject(value)) throw fail('malformed', url, `expected a JSON object, got ${jsonType(value)}`);
  const beans = value['beans'];
  if (!Array.isArray(beans)) {
    const servletError = servletErrorText(value);
    if (servletError !== undefined) throw fail('missing', url, `JMX servlet error: ${servletError}`);
    throw fail(beans === undefined ? 'missing' : 'malformed', url, `no "beans" array (${jsonType(beans)})`);
  }
  const bean = beans.find((item): item is Record<string, unknown> => isObject(item) && item['name'] === beanName);
  if (bean === undefined)
    throw fail(
      'missing',
      url,
      `no bean ${beanName} in the answer (${beans.length} bean${beans.length === 1 ? '' : 's'})`,
    );
  const servletError = servletErrorText(bean);
  if (servletError !== undefined) throw fail('missing', url, `JMX servlet error for ${beanName}: ${servletError}`);
  return bean;
}

function servletErrorText(object: Record<string, unknown>): string | undefined {
  if (object['result'] !== 'ERROR') return undefined;
  const message = object['message'];
  return typeof message === 'string' ? untrustedText(message) : 'ERROR';
}

/** Typed access to a bean's attributes; a wrong or missing one throws a ReadFailure naming it. */
class BeanFields {
  private readonly name: string;

  constructor(
    private readonly bean: Record<string, unknown>,
    private readonly url: string,
  ) {
    this.name = String(bean['name']);
  }

  private field(key: string, expected: string): unknown {
    if (!Object.prototype.hasOwnProperty.call(this.bean, key))
      throw fail('missing', this.url, `${this.name} has no attribute ${key}`);
    const value = this.bean[key];
    if (value === null) throw fail('malformed', this.url, `${this.name}.${key} is null, expected ${expected}`);
    return value;
  }

  string(key: string): string {
    const value = this.field(key, 'a string');
    if (typeof value !== 'string')
      throw fail('malformed', this.url, `${this.name}.${key} is ${jsonType(value)}, expected a string`);
    return value;
  }

  boolean(key: string): boolean {
    const value = this.field(key, 'a boolean');
    if (typeof value !== 'boolean')
      throw fail('malformed', this.url, `${this.name}.${key} is ${jsonType(value)}, expected a boolean`);
    return value;
  }

  /** A Java long that counts something (milliseconds, a transaction id): a whole number >= 0. */
  count(key: string): number {
    const value = this.field(key, 'a whole number');
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      const shownValue = `${jsonType(value)}${typeof value === 'number' ? ` ${value}` : ''}`;
      throw fail('malformed', this.url, `${this.name}.${key} is ${shownValue}, expected a whole number >= 0`);
    }
    return value;
  }

  /** HAServiceState#toString: "initializing", "active", "standby", "observer". */
  haState(key: string): HAServiceState {
    const text = this.string(key);
    const state = HA_STATE_NAMES.get(text);
    if (state === undefined)
      throw fail('malformed', this.url, `${this.name}.${key} is "${untrustedText(text, 64)}", not an HA state`);
    return state;
  }
}

const HA_STATE_NAMES: ReadonlyMap<string, HAServiceState> = new Map([
  ['initializing', 'INITIALIZING'],
  ['active', 'ACTIVE'],
  ['standby', 'STANDBY'],
  ['observer', 'OBSERVER'],
]);

/**
 * NameNodeInfo.JournalTransactionInfo: JSON inside a JSON string (FSNamesystem#getJournalTransactionInfo
 * writes a map of two Long.toString values): {"LastAppliedOrWrittenTxId":"71","MostRecentCheckpointTxId":"0"}.
 */
export function parseJournalTransactionInfo(
  url: string,
  text: string,
): { lastAppliedOrWrittenTxId: number; mostRecentCheckpointTxId: number } {
  const what = `${NAMENODE_INFO_BEAN}.JournalTransactionInfo`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('malformed', url, `${what} is not JSON: "${untrustedText(text, 64)}"`);
  }
  if (!isObject(value)) throw fail('malformed', url, `${what} is ${jsonType(value)}, expected a JSON object`);
  const txid = (key: string): number => {
    const field = value[key];
    if (field === undefined) throw fail('missing', url, `${what} has no ${key}`);
    const parsed =
      typeof field === 'string' && /^\d{1,16}$/.test(field) ? Number(field) : typeof field === 'number' ? field : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < 0) {
      const shownField = typeof field === 'string' ? `"${untrustedText(field, 64)}"` : jsonType(field);
      throw fail('malformed', url, `${what}.${key} is ${shownField}, expected a transaction id`);
    }
    return parsed;
  };
  return {
    lastAppliedOrWrittenTxId: txid('LastAppliedOrWrittenTxId'),
    mostRecentCheckpointTxId: txid('MostRecentCheckpointTxId'),
  };
}

/** JSON.parse of an answer body; a syntax error names its byte offset (V8's messages do not always). */
export function parseJson(url: string, body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    const offset = jsonErrorOffset(body);
    const near = untrustedText(body.subarray(offset, offset + 16).toString('latin1'), 32);
    const where =
      offset >= body.length
        ? `ends early at byte ${body.length} (truncated?)`
        : `is not valid JSON at byte ${offset} of ${body.length} (near "${near}")`;
    throw fail('malformed', url, `the answer ${where}`);
  }
}

/**
 * The byte offset of the first JSON syntax error in `bytes` (bytes.length when the input ends
 * early). Only called on input JSON.parse refused. Iterative, so hostile nesting cannot overflow
 * the stack; strings are scanned byte by byte (all JSON structure is ASCII).
 */
export function jsonErrorOffset(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  // Containers still open: '{' or '['; `expect` says what may come next.
  const stack: number[] = [];
  type Expect = 'value' | 'valueOrClose' | 'keyOrClose' | 'key' | 'colon' | 'commaOrClose' | 'end';
  let expect: Expect = 'value';
  const OPEN_OBJECT = 0x7b;
  const OPEN_ARRAY = 0x5b;
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'commaOrClose');
  const skipSpace = (): void => {
    while (i < n && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  };
  /** Scan a string starting at the quote; returns the offset after it, or -(offset of the fault) - 1. */
  const scanString = (): number => {
    let j = i + 1;
    while (j < n) {
      const c = bytes[j]!;
      if (c === 0x22) return j + 1;
      if (c < 0x20) return -j - 1;
      if (c === 0x5c) {
        const e = bytes[j + 1];
        if (e === undefined) return -n - 1;
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            const h = bytes[j + k];
            if (h === undefined) return -n - 1;
            if (!isHex(h)) return -(j + k) - 1;
          }
          j += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) return -(j + 1) - 1;
        j += 2;
        continue;
      }
      j++;
    }
    return -n - 1;
  };
  const scanNumber = (): number => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(
      Buffer.from(bytes.subarray(i, i + 400)).toString('latin1'),
    );
    if (m !== null) return i + m[0].length;
    // A lone '-': the digit that should follow is the fault.
    return bytes[i] === 0x2d ? -(i + 1) - 1 : -i - 1;
  };
  const scanWord = (word: string): number => {
    for (let k = 0; k < word.length; k++) {
      if (i + k >= n) return -n - 1;
      if (bytes[i + k] !== word.charCodeAt(k)) return -(i + k) - 1;
    }
    return i + word.length;
  };
  for (;;) {
    skipSpace();
    if (i >= n) return n;
    const c = bytes[i]!;
    switch (expect) {
      case 'end':
        return i;
      case 'colon':
        if (c !== 0x3a) return i;
        i++;
        expect = 'value';
        continue;
      case 'commaOrClose':
        if (c === 0x2c) {
          i++;
          expect = stack[stack.length - 1] === OPEN_OBJECT ? 'key' : 'value';
          continue;
        }
        if (
          (c === 0x7d && stack[stack.length - 1] === OPEN_OBJECT) ||
          (c === 0x5d && stack[stack.length - 1] === OPEN_ARRAY)
        ) {
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        return i;
      case 'key':
      case 'keyOrClose': {
        if (expect === 'keyOrClose' && c === 0x7d) {
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        if (c !== 0x22) return i;
        const next = scanString();
        if (next < 0) return -next - 1;
        i = next;
        expect = 'colon';
        continue;
      }
      case 'value':
      case 'valueOrClose': {
        if (expect === 'valueOrClose' && c === 0x5d) {
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        if (c === OPEN_OBJECT) {
          stack.push(OPEN_OBJECT);
          i++;
          expect = 'keyOrClose';
          continue;
        }
        if (c === OPEN_ARRAY) {
          stack.push(OPEN_ARRAY);
          i++;
          expect = 'valueOrClose';
          continue;
        }
        const next =
          c === 0x22
            ? scanString()
            : c === 0x74
              ? scanWord('true')
              : c === 0x66
                ? scanWord('false')
                : c === 0x6e
                  ? scanWord('null')
                  : c === 0x2d || (c >= 0x30 && c <= 0x39)
                    ? scanNumber()
                    : -i - 1;
        if (next < 0) return -next - 1;
        i = next;
        expect = afterValue();
        continue;
      }
    }
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'absent';
  const type = typeof value;
  return type === 'object' ? 'an object' : type === 'string' ? 'a string' : `a ${type}`;
}
