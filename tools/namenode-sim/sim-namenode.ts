// One simulated NameNode: the HA model served over Hadoop IPC on its RPC port (and optionally on a
// service RPC and a lifeline port, as a NameNode does when those are configured) and over HTTP
// (NameNode endpoints + the /sim/ control interface). Runs in-process for tests, or as a process
// through `zkfc-sim namenode` (src/cli/sim-main.ts). It is a test double for the ZKFC and haadmin,
// not a NameNode: no namespace, no ClientProtocol, no edit log.

import { userInfo } from 'node:os';
import type { HAServiceState, HostPort } from '../../src/core/types.js';
import type { IpcServer } from '../../src/ipc/server.js';
import { silentLogger, type Logger } from '../../src/observability/logger.js';
import type { Clock } from '../../src/runtime/ports.js';
import { realClock } from '../testing/clock.js';
import { SimHttpEndpoint } from './http-endpoint.js';
import { NameNodeSimulatorModel } from './model.js';
import { startHAServiceRpcServer } from './rpc-endpoint.js';

export interface NameNodeSimulatorOptions {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  /** Address to bind and report; default 127.0.0.1. */
  readonly host?: string;
  /** Client RPC port; 0 (the default) picks a free one. */
  readonly rpcPort?: number;
  /** Also serve HAServiceProtocol here (dfs.namenode.servicerpc-address). */
  readonly serviceRpcPort?: number;
  /** Also serve HAServiceProtocol here (dfs.namenode.lifeline.rpc-address). */
  readonly lifelinePort?: number;
  /** HTTP port; 0 (the default) picks a free one. */
  readonly httpPort?: number;
  /** Default: the user running the simulator, as a NameNode's superuser is the user it runs as. */
  readonly superuser?: string;
  readonly supergroupMembers?: readonly string[];
  /** dfs.permissions.enabled; default true. */
  readonly permissionsEnabled?: boolean;
  /** dfs.ha.automatic-failover.enabled; default true. */
  readonly automaticFailoverEnabled?: boolean;
  /** Default true; false answers "HA for namenode is not enabled". */
  readonly haEnabled?: boolean;
  /** "NameNode still not started" for this long after start; default 0. */
  readonly startupDelayMs?: number;
  /** Default STANDBY (an HA NameNode always starts as standby). */
  readonly initialState?: HAServiceState;
  readonly safemode?: boolean;
  /** dfs.ha.nn.not-become-active-in-safemode; default false. */
  readonly notBecomeActiveInSafemode?: boolean;
  /** Append JSON lines of every state change here (see transition-log.ts). */
  readonly transitionLogPath?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /**
   * Leave the process (faults crash and exit-on-activate), after the transition log line is
   * written. The CLI passes process.exit. The default, for in-process use, drops every
   * connection and stops serving, and resolves `exited`.
   */
  readonly exit?: (code: number, reason: string) => void;
}

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}

export class NameNodeSimulator {
  readonly model: NameNodeSimulatorModel;
  /** Resolves when the simulated process "exits" (crash, exit-on-activate) with its exit code. */
  readonly exited: Promise<{ readonly code: number; readonly reason: string }>;
  private rpcServers: IpcServer[] = [];
  private http: SimHttpEndpoint | undefined;
  private addresses: { rpc: HostPort; http: HostPort; serviceRpc?: HostPort; lifeline?: HostPort } | undefined;
  private stopped = false;
  private resolveExited: (value: { code: number; reason: string }) => void = () => {};
  private readonly log: Logger;

  private constructor(private readonly options: NameNodeSimulatorOptions) {
    const logger = options.logger ?? silentLogger();
    this.log = logger.child({
      component: 'namenode-sim',
      nameservice: options.nameserviceId,
      namenode: options.namenodeId,
    });
    this.exited = new Promise((resolve) => {
      this.resolveExited = resolve;
    });
    this.model = new NameNodeSimulatorModel({
      nameserviceId: options.nameserviceId,
      namenodeId: options.namenodeId,
      ha: {
        haEnabled: options.haEnabled ?? true,
        automaticFailoverEnabled: options.automaticFailoverEnabled ?? true,
        superuser: options.superuser ?? currentUser(),
        supergroupMembers: options.supergroupMembers ?? [],
        permissionsEnabled: options.permissionsEnabled ?? true,
        notBecomeActiveInSafemode: options.notBecomeActiveInSafemode ?? false,
      },
      initialState: options.initialState ?? 'STANDBY',
      safemode: options.safemode ?? false,
      startupDelayMs: options.startupDelayMs ?? 0,
      ...(options.transitionLogPath !== undefined ? { transitionLogPath: options.transitionLogPath } : {}),
      logger,
      clock: options.clock ?? realClock,
      pid: process.pid,
      exit: (code, reason) => this.onExit(code, reason),
    });
  }

  /** Start serving; ports 0 are replaced by the bound ones (see rpcAddress / httpAddress). */
  static async start(options: NameNodeSimulatorOptions): Promise<NameNodeSimulator> {
    const sim = new NameNodeSimulator(options);
    try {
      await sim.listen();
    } catch (error) {
      await sim.closeServers();
      throw error;
    }
    return sim;
  }

  get rpcAddress(): HostPort {
    return this.bound().rpc;
  }

  get httpAddress(): HostPort {
    return this.bound().http;
  }

  get serviceRpcAddress(): HostPort | undefined {
    return this.bound().serviceRpc;
  }

  get lifelineAddress(): HostPort | undefined {
    return this.bound().lifeline;
  }

  /** "zkfc-sim namenode ns1.nn1 rpc=127.0.0.1:8020 http=127.0.0.1:9870[ servicerpc=..][ lifeline=..]" */
  describe(): string {
    const a = this.bound();
    let line =
      `zkfc-sim namenode ${this.options.nameserviceId}.${this.options.namenodeId} ` +
      `rpc=${a.rpc.host}:${a.rpc.port} http=${a.http.host}:${a.http.port}`;
    if (a.serviceRpc) line += ` servicerpc=${a.serviceRpc.host}:${a.serviceRpc.port}`;
    if (a.lifeline) line += ` lifeline=${a.lifeline.host}:${a.lifeline.port}`;
    return line;
  }

  /** Clean stop (SIGTERM): an exit line in the transition log, then close every listener. */
  async stop(cause = 'stopped'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.model.recordExit(cause);
    this.model.close();
    await this.closeServers();
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    const logger = this.options.logger;
    const startRpc = async (port: number): Promise<HostPort> => {
      const started = await startHAServiceRpcServer(this.model, { host, port, ...(logger ? { logger } : {}) });
      this.rpcServers.push(started.server);
      return { host, port: started.port };
    };
    const rpc = await startRpc(this.options.rpcPort ?? 0);
    const serviceRpc =
      this.options.serviceRpcPort === undefined ? undefined : await startRpc(this.options.serviceRpcPort);
    const lifeline = this.options.lifelinePort === undefined ? undefined : await startRpc(this.options.lifelinePort);
    const http = new SimHttpEndpoint(this.model, {
      host,
      port: this.options.httpPort ?? 0,
      logger: logger ?? silentLogger(),
      rpcAddress: () => rpc,
    });
    this.http = http;
    const httpBound = await http.listen();
    this.addresses = {
      rpc,
      http: { host, port: httpBound.port },
      ...(serviceRpc ? { serviceRpc } : {}),
      ...(lifeline ? { lifeline } : {}),
    };
    this.log.info({ ...this.addresses, state: this.model.snapshot().state }, 'NameNode simulator listening');
  }

  private onExit(code: number, reason: string): void {
    if (this.options.exit) {
      this.options.exit(code, reason);
      return;
    }
    // In-process "exit": vanish as abruptly as a dead process (connections reset, nothing answered).
    this.stopped = true;
    void this.closeServers().then(() => this.resolveExited({ code, reason }));
  }

  private async closeServers(): Promise<void> {
    const servers = this.rpcServers;
    this.rpcServers = [];
    const http = this.http;
    this.http = undefined;
    await Promise.all([...servers.map((server) => server.close()), http?.close()]);
  }

  private bound(): { rpc: HostPort; http: HostPort; serviceRpc?: HostPort; lifeline?: HostPort } {
    if (!this.addresses) throw new Error('NameNodeSimulator is not listening');
    return this.addresses;
  }
}
