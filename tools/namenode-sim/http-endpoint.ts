// The simulated NameNode's HTTP port: the endpoints a real NameNode serves that HA tooling uses
// (docs/hadoop-compat.md §10.2), plus the simulator's control interface under /sim/.
//
// NameNode endpoints (they stall while the `hang` fault is on, like the rest of a paused JVM):
//   GET /isActive   200 "I am Active!" when active, else 405 "I am not Active!"; Connection: close
//   GET /jmx[?qry=<ObjectName pattern>] or /jmx?get=<bean>::<attribute> (Hadoop's JMXJsonServlet),
//       with the beans, attribute names and JSON shapes of a real NameNode (Hadoop 3.4.2, captured
//       in test/support/fixtures/namenode-jmx-3.4.2; test/hadoop/namenode-jmx.test.ts compares):
//       Hadoop:service=NameNode,name=NameNodeStatus     {NNRole, State, HostAndPort, ...}
//       Hadoop:service=NameNode,name=FSNamesystem       {"tag.HAState": "active", MillisSinceLastLoadedEdits, ...}
//       Hadoop:service=NameNode,name=FSNamesystemState  {FSState: "safeMode" | "Operational", ...}
//       Hadoop:service=NameNode,name=NameNodeInfo       {Safemode: "" | text, JournalTransactionInfo: JSON text, ...}
//   GET /stacks     the thread dump as Hadoop's StackServlet prints it (text/plain): what a ZKFC
//                   fetches when its NameNode turns unhealthy (DFSZKFailoverController)
//
// Control interface (always answers; JSON in and out):
//   GET  /sim/state                      snapshot: ids, pid, state, started, safemode, faults, edits,
//                                        addresses, lastHATransitionTime, transition and call counts
//   POST /sim/fault     body: {"fault": "unhealthy"|"slow"|"hang"|"crash"|"refuse-transitions"|
//                       "delay-transitions"|"exit-on-activate"|"safemode"|"none", "ms": n}
//                       (also {"slow":{"ms":500}} or text "slow:500"); faults add up, "none" clears
//                       all faults and leaves safe mode; "crash" answers 202 and then exits
//   POST /sim/safemode  body: {"on": true|false}
//   POST /sim/edits     body: {"lastAppliedOrWrittenTxId"?: n, "mostRecentCheckpointTxId"?: n,
//                       "millisSinceLastLoadedEdits"?: n, "tailing"?: bool}: transaction ids and
//                       how stale the standby's namespace is (a set staleness stops the tailer)
//   POST /sim/state     body: {"state": "active"|"standby"|"observer"|"initializing", "cause"?: text}
//                       sets the state without the HA rules (test set-up), logged as "forced"

import http from 'node:http';
import { HA_SERVICE_STATES, type HAServiceState, type HostPort } from '../../src/core/types.js';
import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import { FaultRequestError, parseFault } from './faults.js';
import { haStateName } from './ha-state.js';
import type { NameNodeSimulatorModel, SimEditsChange } from './model.js';

/** Control requests are tiny; refuse anything bigger before buffering it. */
const MAX_BODY_BYTES = 64 * 1024;

export const NAMENODE_STATUS_BEAN = 'Hadoop:service=NameNode,name=NameNodeStatus';
export const FSNAMESYSTEM_BEAN = 'Hadoop:service=NameNode,name=FSNamesystem';
export const FSNAMESYSTEM_STATE_BEAN = 'Hadoop:service=NameNode,name=FSNamesystemState';
export const NAMENODE_INFO_BEAN = 'Hadoop:service=NameNode,name=NameNodeInfo';

export interface SimHttpEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** The RPC address, reported as HostAndPort and in /sim/state. */
  readonly rpcAddress: () => HostPort;
  /** Runs after a `crash` fault's reply is flushed: the process exits (or, in-process, stops). */
  readonly onCrashRequested?: () => void;
}

export class SimHttpEndpoint {
  private readonly server: http.Server;
  private readonly log: Logger;
  private bound: HostPort | undefined;

  constructor(
    private readonly model: NameNodeSimulatorModel,
    private readonly options: SimHttpEndpointOptions,
  ) {
    this.log = options.logger.child({ component: 'namenode-sim-http' });
    this.server = http.createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        this.log.error({ err: error, url: request.url }, 'http handler failed');
        if (!response.headersSent) sendJson(response, 500, { error: errorMessage(error) });
        else response.destroy();
      });
    });
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 10_000;
  }

  async listen(): Promise<HostPort> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('http server has no TCP address');
    this.bound = { host: address.address, port: address.port };
    return this.bound;
  }

  async close(): Promise<void> {
    // Stalled (hung) requests would keep close() waiting forever: drop every connection.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const method = request.method ?? 'GET';
    const path = url.pathname;

    if (path.startsWith('/sim/')) {
      await this.control(method, path, request, response);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(response, 405, { error: `${method} not allowed on ${path}` });
      return;
    }
    if (path === '/isActive' || path === '/jmx' || path === '/stacks') {
      if (this.model.isHung()) await this.model.waitWhileHung();
      if (response.destroyed) return;
    }
    if (path === '/isActive') {
      this.isActive(response);
    } else if (path === '/jmx') {
      const get = url.searchParams.get('get');
      sendJson(
        response,
        200,
        get !== null ? this.getAttribute(get) : { beans: this.beans(url.searchParams.get('qry')) },
      );
    } else if (path === '/stacks') {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(this.threadDump());
    } else {
      sendJson(response, 404, { error: `no such path ${path}` });
    }
  }

  /** Parity: IsNameNodeActiveServlet: 200 when active, else sendError(405); always Connection: close. */
  private isActive(response: http.ServerResponse): void {
    if (this.model.currentState() === 'ACTIVE') {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      response.end('I am Active!');
      return;
    }
    const message = 'I am not Active!';
    response.writeHead(405, { 'Content-Type': 'text/html;charset=iso-8859-1', Connection: 'close' });
    // The shape of Jetty's sendError page, which is what load balancers and scripts see.
    response.end(
      `<html>\n<head>\n<meta http-equiv="Content-Type" ` +
        `content="text/html;charset=utf-8"/>\n<title>Error 405 ${message}</title>\n</head>\n` +
        `<body><h2>HTTP ERROR 405</h2>\n<p>Problem accessing /isActive. ` +
        `Reason:\n<pre>    ${message}</pre></p>\n</body>\n</html>\n`,
    );
  }

  /**
   * A thread dump in the layout of Hadoop's ReflectionUtils#printThreadInfo (what /stacks
   * serves), with the threads a NameNode has: its RPC handlers, the health monitor's resource
   * checker and the HTTP server. The HA state is in the handler's stack so a reader can tell dumps
   * apart.
   */
  private threadDump(): string {
    const state = haStateName(this.model.currentState());
    const thread = (id: number, name: string, threadState: string, stack: readonly string[]): string =>
      [
        `Thread ${id} (${name}):`,
        `  State: ${threadState}`,
        '  Blocked count: 0',
        '  Waited count: 1',
        '  Stack:',
        ...stack.map((frame) => `    ${frame}`),
      ].join('\n');
    const threads = [
      thread(1, 'main', 'WAITING', [
        'java.lang.Object.wait(Native Method)',
        'java.lang.Thread.join(Thread.java:1257)',
        'org.apache.hadoop.hdfs.server.namenode.NameNode.join(NameNode.java:1017)',
        'org.apache.hadoop.hdfs.server.namenode.NameNode.main(NameNode.java:1787)',
      ]),
      thread(31, 'IPC Server handler 0 on default port 8020', 'TIMED_WAITING', [
        'sun.misc.Unsafe.park(Native Method)',
        'org.apache.hadoop.ipc.CallQueueManager.take(CallQueueManager.java:294)',
        'org.apache.hadoop.ipc.Server$Handler.run(Server.java:2979)',
        `// simulated NameNode ${this.model.namenodeId}, HA state ${state}`,
      ]),
      thread(
        42,
        'org.apache.hadoop.hdfs.server.namenode.FSNamesystem$NameNodeResourceMonitor@5a2e4553',
        'TIMED_WAITING',
        [
          'java.lang.Thread.sleep(Native Method)',
          'org.apache.hadoop.hdfs.server.namenode.FSNamesystem$NameNodeResourceMonitor.run(FSNamesystem.java:4531)',
          'java.lang.Thread.run(Thread.java:748)',
        ],
      ),
      thread(57, 'qtp1205555397-57', 'RUNNABLE', [
        'sun.management.ThreadImpl.getThreadInfo1(Native Method)',
        'org.apache.hadoop.util.ReflectionUtils.printThreadInfo(ReflectionUtils.java:223)',
        'org.apache.hadoop.http.HttpServer2$StackServlet.doGet(HttpServer2.java:1583)',
      ]),
    ];
    return `Process Thread Dump: \n${threads.length} active threads\n${threads.join('\n')}\n`;
  }

  private allBeans(): Array<Record<string, unknown>> {
    const rpc = this.options.rpcAddress();
    const state = haStateName(this.model.currentState());
    const snapshot = this.model.snapshot();
    const { edits } = snapshot;
    return [
      {
        name: NAMENODE_STATUS_BEAN,
        modelerType: 'org.apache.hadoop.hdfs.server.namenode.NameNode',
        State: state,
        NNRole: 'NameNode',
        HostAndPort: `${rpc.host}:${rpc.port}`,
        SecurityEnabled: false,
        LastHATransitionTime: snapshot.lastHATransitionTime,
        BytesWithFutureGenerationStamps: 0,
        SlowPeersReport: null,
        SlowDisksReport: null,
      },
      {
        name: FSNAMESYSTEM_BEAN,
        modelerType: 'FSNamesystem',
        'tag.Context': 'dfs',
        'tag.HAState': state,
        'tag.TotalSyncTimes': '',
        'tag.Hostname': rpc.host,
        TransactionsSinceLastCheckpoint: edits.lastAppliedOrWrittenTxId - edits.mostRecentCheckpointTxId,
        LastWrittenTransactionId: edits.lastAppliedOrWrittenTxId,
        PendingDataNodeMessageCount: 0,
        MillisSinceLastLoadedEdits: snapshot.edits.millisSinceLastLoadedEdits,
        NumLiveDataNodes: 0,
      },
      {
        name: FSNAMESYSTEM_STATE_BEAN,
        modelerType: 'org.apache.hadoop.hdfs.server.namenode.FSNamesystem',
        FSState: snapshot.safemode ? 'safeMode' : 'Operational',
        NumLiveDataNodes: 0,
      },
      {
        name: NAMENODE_INFO_BEAN,
        modelerType: 'org.apache.hadoop.hdfs.server.namenode.FSNamesystem',
        Version: 'zkfc-sim',
        Safemode: this.model.safemodeText(),
        LiveNodes: '{}',
        DeadNodes: '{}',
        // A JSON text inside the JSON, with Long.toString values (FSNamesystem#getJournalTransactionInfo).
        JournalTransactionInfo: JSON.stringify({
          MostRecentCheckpointTxId: String(edits.mostRecentCheckpointTxId),
          LastAppliedOrWrittenTxId: String(edits.lastAppliedOrWrittenTxId),
        }),
      },
    ];
  }

  private beans(query: string | null): object[] {
    const all = this.allBeans();
    if (query === null || query === '') return all;
    const pattern = globToRegExp(query);
    return all.filter((bean) => pattern.test(String(bean['name'])));
  }

  /** JMXJsonServlet's `get=<bean>::<attribute>`: one attribute of one bean, or the servlet's error shapes. */
  private getAttribute(get: string): object {
    const split = get.indexOf('::');
    if (split < 0) return { result: 'ERROR', message: 'query format is not as expected.' };
    const beanName = get.slice(0, split);
    const attribute = get.slice(split + 2);
    const bean = this.allBeans().find((candidate) => candidate['name'] === beanName);
    if (bean === undefined) return { beans: [] };
    const head = { name: bean['name'], modelerType: bean['modelerType'] };
    if (attribute === 'name' || attribute === 'modelerType' || !Object.prototype.hasOwnProperty.call(bean, attribute))
      return { beans: [{ ...head, result: 'ERROR', message: `No attribute with name ${attribute} was found.` }] };
    return { beans: [{ ...head, [attribute]: bean[attribute] }] };
  }

  private async control(
    method: string,
    path: string,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    if (path === '/sim/state' && method === 'GET') {
      sendJson(response, 200, { ...this.model.snapshot(), rpc: this.options.rpcAddress(), http: this.bound });
      return;
    }
    if (method !== 'POST') {
      sendJson(response, 405, { error: `${method} not allowed on ${path}` });
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      sendJson(response, 413, { error: `request body larger than ${MAX_BODY_BYTES} bytes` });
      return;
    }
    try {
      if (path === '/sim/fault') {
        const fault = parseFault(body);
        this.log.info({ fault }, 'fault requested');
        if (fault.fault === 'crash') {
          // Answer first so the caller (a test, a fencing script) knows it was taken, then die.
          response.writeHead(202, { 'Content-Type': 'application/json', Connection: 'close' });
          response.end(JSON.stringify({ accepted: 'crash' }), () => this.crash());
          return;
        }
        this.model.applyFault(fault);
        sendJson(response, 200, this.model.snapshot());
      } else if (path === '/sim/safemode') {
        const on = parseObject(body)['on'];
        if (typeof on !== 'boolean') throw new FaultRequestError('body must be {"on": true|false}');
        this.model.setSafemode(on);
        sendJson(response, 200, this.model.snapshot());
      } else if (path === '/sim/edits') {
        this.model.setEdits(parseEditsChange(parseObject(body)));
        sendJson(response, 200, this.model.snapshot());
      } else if (path === '/sim/state') {
        const object = parseObject(body);
        const state = typeof object['state'] === 'string' ? object['state'].toUpperCase() : '';
        if (!(HA_SERVICE_STATES as readonly string[]).includes(state)) {
          throw new FaultRequestError(
            `body must be {"state": one of ${HA_SERVICE_STATES.map((s) => s.toLowerCase()).join(', ')}}`,
          );
        }
        const cause = typeof object['cause'] === 'string' ? object['cause'].slice(0, 200) : 'control request';
        this.model.forceState(state as HAServiceState, cause);
        sendJson(response, 200, this.model.snapshot());
      } else {
        sendJson(response, 404, { error: `no such control path ${path}` });
      }
    } catch (error) {
      if (error instanceof FaultRequestError) sendJson(response, 400, { error: error.message });
      else throw error;
    }
  }

  private crash(): void {
    if (this.options.onCrashRequested) this.options.onCrashRequested();
    else this.model.applyFault({ fault: 'crash' });
  }
}

/** The body of POST /sim/edits: whole numbers >= 0 and a boolean, each optional, nothing else. */
function parseEditsChange(object: Record<string, unknown>): SimEditsChange {
  const change: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'tailing') {
      if (typeof value !== 'boolean') throw new FaultRequestError('"tailing" must be true or false');
      change[key] = value;
    } else if (
      key === 'lastAppliedOrWrittenTxId' ||
      key === 'mostRecentCheckpointTxId' ||
      key === 'millisSinceLastLoadedEdits'
    ) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
        throw new FaultRequestError(`"${key}" must be a whole number >= 0`);
      change[key] = value;
    } else {
      throw new FaultRequestError(
        `unknown field "${key.slice(0, 40)}": lastAppliedOrWrittenTxId, mostRecentCheckpointTxId, ` +
          'millisSinceLastLoadedEdits, tailing',
      );
    }
  }
  return change;
}

function parseObject(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new FaultRequestError('body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FaultRequestError('body must be a JSON object');
  return value as Record<string, unknown>;
}

/** The request body as text, or undefined when it exceeds MAX_BODY_BYTES (the request is then drained). */
function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: http.ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** A JMX ObjectName query with `*` / `?` wildcards as a whole-string RegExp. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
