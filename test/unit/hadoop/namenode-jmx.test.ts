// Goal: the NameNode HTTP view adapter turns what real NameNodes answer (Hadoop 3.4.2, captured by
// test/hadoop/namenode-jmx.test.ts's method into test/support/fixtures/namenode-jmx-3.4.2) into the
// typed view, and turns every hostile or broken answer into a typed failure that names the URL and
// what was wrong, within its deadline, without throwing: garbage, truncated and huge JSON (with the
// byte offset of the fault), wrong field types, missing beans and attributes, the servlet's own
// error shapes, a 500, a redirect (not followed), a refused connection, a NameNode that accepts
// and says nothing, one that trickles its answer, one that closes mid-body.
// Method: the pure parsers on the captured bytes and on mutations of them; the reader against an
// in-process node:http server on loopback that plays a real NameNode from the fixtures, or misbehaves.

import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FSNAMESYSTEM_BEAN,
  jmxBean,
  jsonErrorOffset,
  NAMENODE_HTTP_PATHS,
  NAMENODE_INFO_BEAN,
  NAMENODE_STATUS_BEAN,
  NameNodeJmxReader,
  NameNodeJmxTxidReader,
  parseJournalTransactionInfo,
  parseNameNodeHttpView,
  ReadFailure,
  type HttpAnswer,
  type NameNodeHttpAnswers,
} from '../../../src/hadoop/namenode-jmx.js';
import type { NameNodeHttpFailure, NameNodeHttpResult } from '../../../src/runtime/ports.js';
import type { NamenodeTarget } from '../../../src/core/types.js';
import { HttpStubs } from '../../../tools/testing/http-stub.js';

const FIXTURES = join(import.meta.dirname, '../../support/fixtures/namenode-jmx-3.4.2');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const BASE = 'http://nn1.example.com:9870';

function ok(body: Buffer | string): HttpAnswer {
  return { status: 200, location: undefined, body: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

/** The answers a real NameNode gave (nn1 active, nn2 standby). */
function realAnswers(id: 'nn1' | 'nn2'): NameNodeHttpAnswers {
  return {
    status: ok(fixture(`${id}-NameNodeStatus.json`)),
    namesystem: ok(fixture(`${id}-FSNamesystem.json`)),
    safemode: ok(fixture(`${id}-NameNodeInfo-Safemode.json`)),
    journal: ok(fixture(`${id}-NameNodeInfo-JournalTransactionInfo.json`)),
    isActive: id === 'nn1' ? ok('I am Active!') : { status: 405, location: undefined, body: Buffer.alloc(0) },
  };
}

/** The failure a parse throws (the test fails if it does not throw one). */
function failureOf(run: () => unknown): NameNodeHttpFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof ReadFailure) return error.failure;
    throw error;
  }
  throw new Error('expected a ReadFailure');
}

/** A bean answer with one attribute replaced (or removed, with `undefined`). */
function withAttribute(file: string, key: string, value: unknown): HttpAnswer {
  const json = JSON.parse(fixture(file).toString('utf8')) as { beans: Record<string, unknown>[] };
  if (value === undefined) delete json.beans[0]![key];
  else json.beans[0]![key] = value;
  return ok(JSON.stringify(json));
}

describe('the NameNode HTTP view from real NameNode answers (Hadoop 3.4.2)', () => {
  it('reads an active NameNode', () => {
    expect(parseNameNodeHttpView(BASE, realAnswers('nn1'))).toEqual({
      state: 'ACTIVE',
      nnRole: 'NameNode',
      hostAndPort: 'localhost:23427',
      lastHATransitionTimeMs: 1796360710281,
      securityEnabled: false,
      namesystemHAState: 'ACTIVE',
      millisSinceLastLoadedEdits: 0,
      lastWrittenTransactionId: 1,
      safemode: '',
      inSafemode: false,
      lastAppliedOrWrittenTxId: 1,
      mostRecentCheckpointTxId: 0,
      isActive: true,
    });
  });

  it('reads a standby NameNode: its edits age and its transaction ids', () => {
    const view = parseNameNodeHttpView(BASE, realAnswers('nn2'));
    expect(view).toMatchObject({
      state: 'STANDBY',
      namesystemHAState: 'STANDBY',
      lastHATransitionTimeMs: 0,
      millisSinceLastLoadedEdits: 11941,
      lastAppliedOrWrittenTxId: 0,
      mostRecentCheckpointTxId: 0,
      isActive: false,
      inSafemode: false,
    });
  });

  it("reads safe mode as the NameNode's own text", () => {
    const view = parseNameNodeHttpView(BASE, {
      ...realAnswers('nn1'),
      safemode: ok(fixture('nn1-safemode-on-NameNodeInfo-Safemode.json')),
    });
    expect(view.inSafemode).toBe(true);
    expect(view.safemode).toBe(
      'Safe mode is ON. It was turned on manually. Use "hdfs dfsadmin -safemode leave" to turn safe mode off.',
    );
  });

  it('names the URL and the attribute when the JMX servlet reports an unknown attribute or bean', () => {
    const url = `${BASE}${NAMENODE_HTTP_PATHS.safemode}`;
    expect(jmxBean.bind(null, url, ok(fixture('nn1-NameNodeInfo-NoSuchAttribute.json')), NAMENODE_INFO_BEAN)).toThrow(
      ReadFailure,
    );
    expect(
      failureOf(() => jmxBean(url, ok(fixture('nn1-NameNodeInfo-NoSuchAttribute.json')), NAMENODE_INFO_BEAN)),
    ).toEqual({
      kind: 'missing',
      url,
      message: `GET ${url}: JMX servlet error for ${NAMENODE_INFO_BEAN}: No attribute with name NoSuch was found.`,
    });
    expect(failureOf(() => jmxBean(url, ok(fixture('nn1-NoSuchBean.json')), NAMENODE_INFO_BEAN))).toMatchObject({
      kind: 'missing',
      message: `GET ${url}: no bean ${NAMENODE_INFO_BEAN} in the answer (0 beans)`,
    });
    expect(
      failureOf(() =>
        jmxBean(
          url,
          ok('{\n  "result" : "ERROR",\n  "message" : "query format is not as expected."\n}'),
          NAMENODE_INFO_BEAN,
        ),
      ),
    ).toMatchObject({ kind: 'missing', message: `GET ${url}: JMX servlet error: query format is not as expected.` });
  });
});

describe('hostile or broken answers: a typed failure naming the URL and the fault', () => {
  const statusUrl = `${BASE}${NAMENODE_HTTP_PATHS.status}`;
  const fsUrl = `${BASE}${NAMENODE_HTTP_PATHS.namesystem}`;
  const journalUrl = `${BASE}${NAMENODE_HTTP_PATHS.journal}`;
  const parse = (answers: Partial<NameNodeHttpAnswers>): NameNodeHttpFailure =>
    failureOf(() => parseNameNodeHttpView(BASE, { ...realAnswers('nn2'), ...answers }));

  it('garbage and truncated JSON name the byte offset of the fault', () => {
    expect(parse({ status: ok('<html>Bad Gateway</html>') })).toEqual({
      kind: 'malformed',
      url: statusUrl,
      message: `GET ${statusUrl}: the answer is not valid JSON at byte 0 of 24 (near "<html>Bad Gatewa")`,
    });
    const real = fixture('nn2-NameNodeStatus.json');
    expect(parse({ status: ok(real.subarray(0, 100)) }).message).toBe(
      `GET ${statusUrl}: the answer ends early at byte 100 (truncated?)`,
    );
    expect(parse({ status: ok('{"beans" : [ {"name" : "x",, } ]}') }).message).toContain('at byte 27 of');
    expect(
      parse({
        status: ok(Buffer.concat([Buffer.from('{"beans":["\u00e9\u00e9'), Buffer.from([0x01]), Buffer.from('"]}')])),
      }).message,
    ).toContain('at byte 15 of');
  });

  it('wrong shapes and field types', () => {
    expect(parse({ status: ok('[1,2]') }).message).toBe(`GET ${statusUrl}: expected a JSON object, got an array`);
    expect(parse({ status: ok('{"beans": {}}') })).toMatchObject({
      kind: 'malformed',
      message: `GET ${statusUrl}: no "beans" array (an object)`,
    });
    expect(parse({ status: ok('{}') })).toMatchObject({
      kind: 'missing',
      message: `GET ${statusUrl}: no "beans" array (absent)`,
    });
    expect(parse({ status: withAttribute('nn2-NameNodeStatus.json', 'State', 7) })).toEqual({
      kind: 'malformed',
      url: statusUrl,
      message: `GET ${statusUrl}: ${NAMENODE_STATUS_BEAN}.State is a number, expected a string`,
    });
    expect(parse({ status: withAttribute('nn2-NameNodeStatus.json', 'State', 'leader\u001b[2J') }).message).toBe(
      `GET ${statusUrl}: ${NAMENODE_STATUS_BEAN}.State is "leader\\e[2J", not an HA state`,
    );
    expect(parse({ status: withAttribute('nn2-NameNodeStatus.json', 'SecurityEnabled', 'false') }).message).toContain(
      'SecurityEnabled is a string, expected a boolean',
    );
    expect(parse({ namesystem: withAttribute('nn2-FSNamesystem.json', 'MillisSinceLastLoadedEdits', -5) })).toEqual({
      kind: 'malformed',
      url: fsUrl,
      message:
        `GET ${fsUrl}: ${FSNAMESYSTEM_BEAN}.MillisSinceLastLoadedEdits is a number -5, ` +
        'expected a whole number >= 0',
    });
    expect(
      parse({ namesystem: withAttribute('nn2-FSNamesystem.json', 'MillisSinceLastLoadedEdits', 1e300) }).kind,
    ).toBe('malformed');
    expect(
      parse({ namesystem: withAttribute('nn2-FSNamesystem.json', 'LastWrittenTransactionId', null) }).message,
    ).toContain('LastWrittenTransactionId is null, expected a whole number');
  });

  it('missing beans and attributes', () => {
    expect(parse({ namesystem: withAttribute('nn2-FSNamesystem.json', 'tag.HAState', undefined) })).toEqual({
      kind: 'missing',
      url: fsUrl,
      message: `GET ${fsUrl}: ${FSNAMESYSTEM_BEAN} has no attribute tag.HAState`,
    });
    expect(parse({ namesystem: ok(fixture('nn2-NameNodeStatus.json')) })).toMatchObject({
      kind: 'missing',
      message: `GET ${fsUrl}: no bean ${FSNAMESYSTEM_BEAN} in the answer (1 bean)`,
    });
  });

  it('JournalTransactionInfo: JSON inside JSON, checked as carefully', () => {
    expect(
      parseJournalTransactionInfo(
        journalUrl,
        '{"MostRecentCheckpointTxId":"71337509096","LastAppliedOrWrittenTxId":"71349818863"}',
      ),
    ).toEqual({
      lastAppliedOrWrittenTxId: 71349818863,
      mostRecentCheckpointTxId: 71337509096,
    });
    const what = `${NAMENODE_INFO_BEAN}.JournalTransactionInfo`;
    expect(failureOf(() => parseJournalTransactionInfo(journalUrl, 'N/A'))).toEqual({
      kind: 'malformed',
      url: journalUrl,
      message: `GET ${journalUrl}: ${what} is not JSON: "N/A"`,
    });
    expect(failureOf(() => parseJournalTransactionInfo(journalUrl, '{"MostRecentCheckpointTxId":"0"}')).message).toBe(
      `GET ${journalUrl}: ${what} has no LastAppliedOrWrittenTxId`,
    );
    expect(
      failureOf(() =>
        parseJournalTransactionInfo(journalUrl, '{"MostRecentCheckpointTxId":"0","LastAppliedOrWrittenTxId":"-1"}'),
      ).message,
    ).toBe(`GET ${journalUrl}: ${what}.LastAppliedOrWrittenTxId is "-1", expected a transaction id`);
    expect(
      failureOf(() =>
        parseJournalTransactionInfo(
          journalUrl,
          '{"MostRecentCheckpointTxId":"0","LastAppliedOrWrittenTxId":"99999999999999999999"}',
        ),
      ).kind,
    ).toBe('malformed');
    expect(failureOf(() => parseJournalTransactionInfo(journalUrl, '[]')).message).toContain(
      'is an array, expected a JSON object',
    );
    expect(
      parse({ journal: withAttribute('nn2-NameNodeInfo-JournalTransactionInfo.json', 'JournalTransactionInfo', 5) })
        .message,
    ).toContain('JournalTransactionInfo is a number, expected a string');
  });

  it('/isActive: 200 or 405, anything else a failure; a redirect is named and not followed', () => {
    const isActiveUrl = `${BASE}/isActive`;
    expect(parse({ isActive: { status: 500, location: undefined, body: Buffer.alloc(0) } })).toEqual({
      kind: 'httpStatus',
      url: isActiveUrl,
      message: `GET ${isActiveUrl}: answered HTTP 500, expected 200 or 405`,
    });
    expect(
      parse({ status: { status: 307, location: 'https://nn1.example.com:9871/jmx', body: Buffer.alloc(0) } }).message,
    ).toBe(
      `GET ${statusUrl}: answered HTTP 307 ` +
        '(a redirect to https://nn1.example.com:9871/jmx: not followed), expected 200',
    );
  });
});

describe('jsonErrorOffset', () => {
  it('finds the first fault of invalid JSON as a byte offset', () => {
    const cases: Array<[string, number]> = [
      ['', 0],
      ['{"a":}', 5],
      ['{"a":1', 6],
      ['garbage', 0],
      ['{"a":1}x', 7],
      ['{a:1}', 1],
      ['[1,2,,3]', 5],
      ['"abc', 4],
      ['{"a":"\u0001"}', 6],
      ['[tru]', 4],
      ['{"a" 1}', 5],
      ['["\\x"]', 3],
      ['["\\u12G4"]', 6],
      ['[-]', 2],
      ['{"é":"é",]', 11],
    ];
    for (const [text, offset] of cases) expect([text, jsonErrorOffset(Buffer.from(text))]).toEqual([text, offset]);
  });

  it('survives hostile nesting without recursion', () => {
    expect(jsonErrorOffset(Buffer.from('['.repeat(1 << 20)))).toBe(1 << 20);
    expect(jsonErrorOffset(Buffer.from(`${'['.repeat(100_000)}}`))).toBe(100_000);
  });
});

// ---------------------------------------------------------------------------------------------
// The reader over real HTTP

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;
const stubs = new HttpStubs();

afterEach(() => stubs.closeAll());

async function serve(handler: Handler): Promise<NameNodeJmxReader> {
  return new NameNodeJmxReader({ httpAddress: { host: '127.0.0.1', port: await stubs.serve(handler) } });
}

/** A NameNode that answers like the captured nn2 (standby), or as `override` says for a path. */
function realNameNode(override: (path: string) => Handler | undefined = () => undefined): Handler {
  const bodies: Record<string, Buffer> = {
    [NAMENODE_HTTP_PATHS.status]: fixture('nn2-NameNodeStatus.json'),
    [NAMENODE_HTTP_PATHS.namesystem]: fixture('nn2-FSNamesystem.json'),
    [NAMENODE_HTTP_PATHS.safemode]: fixture('nn2-NameNodeInfo-Safemode.json'),
    [NAMENODE_HTTP_PATHS.journal]: fixture('nn2-NameNodeInfo-JournalTransactionInfo.json'),
  };
  return (request, response) => {
    const path = request.url ?? '/';
    const special = override(path);
    if (special !== undefined) {
      special(request, response);
      return;
    }
    if (path === '/isActive') {
      response.writeHead(405, { 'Content-Type': 'text/html;charset=iso-8859-1', Connection: 'close' });
      response.end(fixture('nn2-isActive-405.html'));
      return;
    }
    const body = bodies[path];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json; charset=utf8' });
    response.end(body);
  };
}

async function timed(read: Promise<NameNodeHttpResult>): Promise<{ result: NameNodeHttpResult; ms: number }> {
  const started = performance.now();
  const result = await read;
  return { result, ms: performance.now() - started };
}

function failed(result: NameNodeHttpResult): NameNodeHttpFailure {
  if (result.ok) throw new Error('expected a failed read');
  return result.failure;
}

describe('NameNodeJmxReader over HTTP', () => {
  it('reads the five answers of a NameNode into the view, with no socket left open', async () => {
    const reader = await serve(realNameNode());
    const result = await reader.read(2000);
    expect(result).toEqual({ ok: true, view: parseNameNodeHttpView(BASE, realAnswers('nn2')) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stubs.openConnections).toBe(0);
  });

  it('a refused connection is unreachable, at once', async () => {
    const reader = await serve(realNameNode());
    await stubs.closeAll();
    const { result, ms } = await timed(reader.read(2000));
    expect(failed(result)).toMatchObject({ kind: 'unreachable' });
    expect(failed(result).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/\S+: ECONNREFUSED/);
    expect(ms).toBeLessThan(1000);
  });

  it('a NameNode that accepts and never answers: timedOut at the deadline, sockets destroyed', async () => {
    const reader = await serve(() => undefined);
    const { result, ms } = await timed(reader.read(300));
    expect(failed(result).kind).toBe('timedOut');
    expect(failed(result).message).toMatch(/: no complete answer within 300 ms \(0 bytes read\)$/);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stubs.openConnections).toBe(0);
  });

  it('an answer trickled a byte at a time is cut off at the deadline', async () => {
    const reader = await serve(
      realNameNode((path) =>
        path === NAMENODE_HTTP_PATHS.status
          ? (_request, response) => {
              response.writeHead(200, { 'Content-Type': 'application/json' });
              const timer = setInterval(() => response.write(' '), 20);
              response.on('close', () => clearInterval(timer));
            }
          : undefined,
      ),
    );
    const { result, ms } = await timed(reader.read(400));
    expect(failed(result)).toMatchObject({ kind: 'timedOut', url: `${reader.baseUrl}${NAMENODE_HTTP_PATHS.status}` });
    expect(ms).toBeLessThan(1500);
  });

  it('a huge answer is tooLarge, by Content-Length or by counting, and reading stops', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const declared = await serve(
      realNameNode((path) =>
        path === NAMENODE_HTTP_PATHS.namesystem
          ? (_request, response) => response.writeHead(200, { 'Content-Length': big.length }).end(big)
          : undefined,
      ),
    );
    expect(failed(await declared.read(2000)).message).toBe(
      `GET ${declared.baseUrl}${NAMENODE_HTTP_PATHS.namesystem}: ` +
        `answer of ${big.length} bytes (Content-Length) is above the 1048576-byte bound`,
    );
    let written = 0;
    const chunked = await serve(
      realNameNode((path) =>
        path === NAMENODE_HTTP_PATHS.namesystem
          ? (_request, response) => {
              response.writeHead(200, { 'Content-Type': 'application/json' });
              const chunk = Buffer.alloc(64 * 1024, 0x20);
              const pump = (): void => {
                while (written < 64 * 1024 * 1024 && !response.destroyed) {
                  written += chunk.length;
                  if (!response.write(chunk)) {
                    response.once('drain', pump);
                    return;
                  }
                }
              };
              pump();
            }
          : undefined,
      ),
    );
    const failure = failed(await chunked.read(5000));
    expect(failure).toMatchObject({ kind: 'tooLarge' });
    expect(failure.message).toContain('above the 1048576-byte bound (stopped reading there)');
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('a connection closed mid-body is unreachable, naming how much came', async () => {
    const reader = await serve(
      realNameNode((path) =>
        path === NAMENODE_HTTP_PATHS.journal
          ? (_request, response) => {
              response.writeHead(200, { 'Content-Length': '1000' });
              response.write('{"beans" : [');
              setTimeout(() => response.socket?.destroy(), 20);
            }
          : undefined,
      ),
    );
    const failure = failed(await reader.read(2000));
    expect(failure.kind).toBe('unreachable');
    expect(failure.message).toMatch(/journal|JournalTransactionInfo/);
    expect(failure.message).toContain('connection closed after 12 bytes');
  });

  it('a 500 and a redirect are httpStatus failures; the redirect is not followed', async () => {
    let followed = false;
    const reader = await serve(
      realNameNode((path) => {
        if (path === NAMENODE_HTTP_PATHS.safemode) return (_request, response) => response.writeHead(500).end('boom');
        if (path === '/elsewhere') followed = true;
        return undefined;
      }),
    );
    expect(failed(await reader.read(2000))).toEqual({
      kind: 'httpStatus',
      url: `${reader.baseUrl}${NAMENODE_HTTP_PATHS.safemode}`,
      message: `GET ${reader.baseUrl}${NAMENODE_HTTP_PATHS.safemode}: answered HTTP 500, expected 200`,
    });
    const redirecting = await serve(
      realNameNode((path) =>
        path === '/isActive'
          ? (_request, response) => response.writeHead(302, { Location: '/elsewhere' }).end()
          : path === '/elsewhere'
            ? ((followed = true), undefined)
            : undefined,
      ),
    );
    expect(failed(await redirecting.read(2000)).message).toBe(
      `GET ${redirecting.baseUrl}/isActive: ` +
        'answered HTTP 302 (a redirect to /elsewhere: not followed), expected 200 or 405',
    );
    expect(followed).toBe(false);
  });

  it('garbage at 200 is malformed with the byte offset', async () => {
    const reader = await serve(
      realNameNode((path) =>
        path === NAMENODE_HTTP_PATHS.status
          ? (_request, response) => response.writeHead(200).end('{"beans":[{]}')
          : undefined,
      ),
    );
    expect(failed(await reader.read(2000)).message).toBe(
      `GET ${reader.baseUrl}${NAMENODE_HTTP_PATHS.status}: the answer is not valid JSON at byte 11 of 13 (near "]}")`,
    );
  });
});

describe('NameNodeJmxTxidReader (the cluster view reading every NameNode for the readiness gate)', () => {
  const target = (port: number): NamenodeTarget => ({
    nameserviceId: 'ns1',
    namenodeId: 'nn2',
    serviceAddress: { host: '127.0.0.1', port: 8020 },
    httpAddress: { host: '127.0.0.1', port },
    zkfcPort: 8019,
  });
  const portOf = (reader: NameNodeJmxReader): number => Number(new URL(reader.baseUrl).port);
  const txids = new NameNodeJmxTxidReader((nn) => nn.httpAddress ?? 'no http address');

  it('reads LastAppliedOrWrittenTxId with one small request: the attribute, never the whole bean', async () => {
    const paths: string[] = [];
    const server = await serve(
      realNameNode((path) => {
        paths.push(path);
        return undefined;
      }),
    );
    const result = await txids.read(target(portOf(server)), 2000);
    expect(result.ok).toBe(true);
    expect(result.ok && Number.isSafeInteger(result.txid) && result.txid >= 0).toBe(true);
    expect(paths).toEqual([NAMENODE_HTTP_PATHS.journal]);
  });

  it('garbage, a hostile transaction id, a refusal or silence: a failure naming the URL, never a throw', async () => {
    const garbage = await serve(() => undefined);
    const slow = await txids.read(target(portOf(garbage)), 200);
    expect(slow).toMatchObject({ ok: false });
    expect(!slow.ok && slow.message).toMatch(/JournalTransactionInfo: no complete answer within 200 ms/);
    const hostile = await serve((_request, response) =>
      response.writeHead(200).end(
        JSON.stringify({
          beans: [
            {
              name: 'Hadoop:service=NameNode,name=NameNodeInfo',
              JournalTransactionInfo: '{"LastAppliedOrWrittenTxId":"-1\\u001b[31m","MostRecentCheckpointTxId":"0"}',
            },
          ],
        }),
      ),
    );
    const bad = await txids.read(target(portOf(hostile)), 2000);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toContain('LastAppliedOrWrittenTxId is "-1\\e[31m", expected a transaction id');
    const refused = new NameNodeJmxTxidReader(() => 'dfs.http.policy is HTTPS_ONLY for nn2');
    expect(await refused.read(target(1), 2000)).toEqual({
      ok: false,
      message: 'dfs.http.policy is HTTPS_ONLY for nn2',
    });
  });
});
