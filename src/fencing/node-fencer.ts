// NodeFencer: the production Fencer port. Fences the old active named by the breadcrumb: first
// the graceful transitionToStandby, then the configured methods (sshfence, shell) in order until
// one succeeds. Every step is bounded in time, recorded as a FenceAttempt, logged, and reported
// to an optional listener (metrics). Never rejects.
//
// Parity: ZKFailoverController.fenceOldActive (graceful first; then checkFencingConfigured; then
// NodeFencer.fence with the old active as the only target) and NodeFencer.fence (methods in
// order, first success wins, a failing or throwing method is logged and the next is tried).
// Differences: a target that is not one of the configured NameNodes (same nameservice, NameNode
// id and service address) is refused outright, so data from ZooKeeper alone never selects what
// gets killed (Hadoop's dataToTarget also refuses a mismatched address); and runs are serialized.

import { userInfo } from 'node:os';
import {
  parseFenceMethods,
  resolveShellCommandForZkfc,
  type FenceMethodSpec,
  type FenceSpecParseResult,
} from '../core/fencing/fence-spec.js';
import type { NamenodeTarget } from '../core/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Clock, FenceAttempt, FenceOutcome, Fencer, HAServiceClientFactory } from '../runtime/ports.js';
import { describeTarget } from './fencing-config.js';
import {
  gracefulFence,
  GRACEFUL_FENCE_CONNECTION_RETRIES_DEFAULT,
  GRACEFUL_FENCE_RETRY_INTERVAL_DEFAULT_MS,
  GRACEFUL_FENCE_RPC_TIMEOUT_DEFAULT_MS,
} from './graceful-fence.js';
import { shellFence, SHELL_FENCE_KILL_GRACE_DEFAULT_MS, SHELL_FENCE_TIMEOUT_DEFAULT_MS } from './shell-fence.js';
import {
  sshFence,
  SSH_COMMAND_TIMEOUT_DEFAULT_MS,
  SSH_CONNECT_TIMEOUT_DEFAULT_MS,
  type FenceMethodResult,
} from './ssh-fence.js';

/** FenceAttempt.method of the graceful step (the Fencer port's convention). */
export const GRACEFUL_METHOD = 'graceful';
/** FenceAttempt.method when the target was refused because it is not a configured NameNode. */
export const TARGET_CHECK_METHOD = 'target-check';
/** FenceAttempt.method when the target's dfs.ha.fencing.methods is missing or unparsable. */
export const CONFIG_CHECK_METHOD = 'config-check';
/** FenceAttempt.method when no method is configured and the target's state store fences it (ZKRMStateStore). */
export const STATE_STORE_METHOD = 'state-store';

/** One NameNode this ZKFC may have to fence, with its fencing configuration. */
export interface FencingTargetConfig {
  readonly target: NamenodeTarget;
  /** dfs.ha.fencing.methods resolved for this NameNode; undefined when not configured. */
  readonly fencingMethods: string | undefined;
  /** Every configuration entry as this NameNode sees it (per-nn keys promoted); shell() exports it. */
  readonly conf: ReadonlyMap<string, string>;
  /**
   * Set for ResourceManagers whose state store fences an old active (ZKRMStateStore: the new
   * active takes the store's fencing lock, the old one fails its next write and goes standby), so
   * no method is needed. Configured methods still run first.
   */
  readonly stateStoreFences?: string;
}

export interface SshFenceSettings {
  /** dfs.ha.fencing.ssh.private-key-files, split and trimmed (see parsePrivateKeyFiles). */
  readonly privateKeyFiles: readonly string[];
  /** dfs.ha.fencing.ssh.connect-timeout. Default 30000. */
  readonly connectTimeoutMs?: number;
  /** Deadline of each remote command (zkfc.fencing.ssh.command-timeout.ms). Default 20000. */
  readonly commandTimeoutMs?: number;
  /** User when sshfence names none. Default: the user this process runs as. */
  readonly defaultUser?: string;
}

export interface NodeFencerOptions {
  /** The configured NameNodes that may be fenced (normally the other NameNodes of the nameservice). */
  readonly targets: readonly FencingTargetConfig[];
  readonly haServiceClientFactory: HAServiceClientFactory;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly gracefulFence?: {
    /** ha.failover-controller.graceful-fence.rpc-timeout.ms. Default 5000. */
    readonly rpcTimeoutMs?: number;
    /** ha.failover-controller.graceful-fence.connection.retries. Default 1. */
    readonly connectionRetries?: number;
    /** Pause between refused connects. Default 1000. */
    readonly retryIntervalMs?: number;
  };
  readonly ssh?: SshFenceSettings;
  readonly shell?: {
    /** zkfc.fencing.shell.timeout.ms. Default 30000. */
    readonly timeoutMs?: number;
    /** SIGTERM → SIGKILL grace at the deadline. Default 2000. */
    readonly killGraceMs?: number;
    /** Base environment of shell commands. Default: this process's environment. */
    readonly baseEnv?: NodeJS.ProcessEnv;
  };
  /** Called after every attempt (graceful, each method, refusals), e.g. to count them in metrics. */
  readonly onAttempt?: (attempt: FenceAttempt, target: NamenodeTarget) => void;
  /** Called once per fenceOldActive with its outcome. */
  readonly onOutcome?: (outcome: FenceOutcome, target: NamenodeTarget) => void;
}

interface ConfiguredTarget {
  readonly config: FencingTargetConfig;
  /** undefined when dfs.ha.fencing.methods is not set for this NameNode. */
  readonly methods: FenceSpecParseResult | undefined;
}

export class NodeFencer implements Fencer {
  private readonly targets: readonly ConfiguredTarget[];
  private readonly log: Logger;
  /** Runs are serialized: two fences of the same host at once would only race each other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: NodeFencerOptions) {
    this.log = options.logger;
    this.targets = options.targets.map((config) => ({
      config,
      methods: config.fencingMethods === undefined ? undefined : parseFenceMethods(config.fencingMethods),
    }));
  }

  fenceOldActive(target: NamenodeTarget): Promise<FenceOutcome> {
    const run = this.queue.then(() => this.fence(target));
    this.queue = run.catch(() => undefined);
    return run.catch((cause: unknown) => {
      // Unreachable by construction (every step resolves values); the port must never reject.
      this.log.error({ err: cause }, 'unexpected error while fencing');
      return {
        fenced: false,
        graceful: false,
        attempts: [{ method: 'fencer', outcome: 'error', durationMs: 0, detail: errorMessage(cause) }],
      };
    });
  }

  private async fence(target: NamenodeTarget): Promise<FenceOutcome> {
    const attempts: FenceAttempt[] = [];
    const name = describeTarget(target);
    const log = this.log.child({ nameservice: target.nameserviceId, namenode: target.namenodeId });
    const record = (attempt: FenceAttempt): void => {
      attempts.push(attempt);
      this.notify(() => this.options.onAttempt?.(attempt, target));
    };
    const finish = (outcome: FenceOutcome): FenceOutcome => {
      this.notify(() => this.options.onOutcome?.(outcome, target));
      return outcome;
    };

    const configured = this.findConfigured(target);
    if (!configured) {
      const detail =
        `refusing to fence ${name} (${target.nameserviceId}.${target.namenodeId}): ` +
        `it is not a configured NameNode of this nameservice`;
      log.error({ address: target.serviceAddress }, 'refusing to fence a target that is not a configured NameNode');
      record({ method: TARGET_CHECK_METHOD, outcome: 'error', durationMs: 0, detail });
      return finish({ fenced: false, graceful: false, attempts });
    }
    // From here on only the configured target is used, never the caller's copy.
    const fenced = configured.config.target;
    log.info({ target: name }, 'should fence old active');

    const graceful = await this.timed(GRACEFUL_METHOD, () =>
      gracefulFence({
        address: fenced.serviceAddress,
        haServiceClientFactory: this.options.haServiceClientFactory,
        rpcTimeoutMs: this.options.gracefulFence?.rpcTimeoutMs ?? GRACEFUL_FENCE_RPC_TIMEOUT_DEFAULT_MS,
        connectionRetries: this.options.gracefulFence?.connectionRetries ?? GRACEFUL_FENCE_CONNECTION_RETRIES_DEFAULT,
        retryIntervalMs: this.options.gracefulFence?.retryIntervalMs ?? GRACEFUL_FENCE_RETRY_INTERVAL_DEFAULT_MS,
        clock: this.options.clock,
        logger: log,
      }),
    );
    record(graceful);
    if (graceful.outcome === 'success') return finish({ fenced: true, graceful: true, attempts });

    const methods = configured.methods;
    const store = configured.config.stateStoreFences;
    if (methods === undefined && store !== undefined) {
      const detail =
        `no fencing method configured; ${store} fences the old active ` +
        '(it loses write access to the store and goes standby)';
      log.info({ target: name, store }, 'fencing delegated to the state store');
      record({ method: STATE_STORE_METHOD, outcome: 'success', durationMs: 0, detail });
      return finish({ fenced: true, graceful: false, attempts });
    }
    if (methods === undefined || !methods.ok) {
      const detail =
        `fencing is not configured for ${name}: ` +
        `${methods === undefined ? 'dfs.ha.fencing.methods is not set' : methods.error.message}`;
      log.error({ detail }, 'unable to fence old active: bad fencing configuration');
      record({ method: CONFIG_CHECK_METHOD, outcome: 'error', durationMs: 0, detail });
      return finish({ fenced: false, graceful: false, attempts });
    }

    log.info({ target: name, methods: methods.methods.length }, 'beginning service fencing process');
    const total = methods.methods.length;
    for (const [index, method] of methods.methods.entries()) {
      const step = `${index + 1}/${total}`;
      log.info({ step, method: method.text }, 'trying fencing method');
      const attempt = await this.timed(method.text, () => this.runMethod(method, configured.config, log));
      record(attempt);
      if (attempt.outcome === 'success') {
        log.info({ step, method: method.text, durationMs: attempt.durationMs }, 'fencing successful');
        return finish({ fenced: true, graceful: false, attempts });
      }
      log.warn(
        { step, method: method.text, outcome: attempt.outcome, detail: attempt.detail },
        'fencing method was unsuccessful',
      );
    }
    log.error({ target: name }, 'unable to fence service by any configured method');
    return finish({ fenced: false, graceful: false, attempts });
  }

  private async runMethod(
    method: FenceMethodSpec,
    config: FencingTargetConfig,
    log: Logger,
  ): Promise<FenceMethodResult> {
    const target = config.target;
    switch (method.kind) {
      case 'sshfence': {
        const ssh = this.options.ssh;
        return sshFence({
          address: target.serviceAddress,
          user: method.user ?? ssh?.defaultUser ?? processUser(),
          sshPort: method.sshPort,
          privateKeyFiles: ssh?.privateKeyFiles ?? [],
          connectTimeoutMs: ssh?.connectTimeoutMs ?? SSH_CONNECT_TIMEOUT_DEFAULT_MS,
          commandTimeoutMs: ssh?.commandTimeoutMs ?? SSH_COMMAND_TIMEOUT_DEFAULT_MS,
          clock: this.options.clock,
          logger: log.child({ method: 'sshfence' }),
        });
      }
      case 'shell': {
        const command = resolveShellCommandForZkfc(method);
        // Parity: ShellCommandFencer.parseArgs throws IllegalArgumentException; NodeFencer logs
        // it and moves on to the next method.
        if (!command.ok) return { outcome: 'error', detail: command.message };
        return shellFence({
          command: command.command,
          target,
          targetConf: config.conf,
          timeoutMs: this.options.shell?.timeoutMs ?? SHELL_FENCE_TIMEOUT_DEFAULT_MS,
          killGraceMs: this.options.shell?.killGraceMs ?? SHELL_FENCE_KILL_GRACE_DEFAULT_MS,
          ...(this.options.shell?.baseEnv !== undefined ? { baseEnv: this.options.shell.baseEnv } : {}),
          clock: this.options.clock,
          logger: log.child({ method: 'shell' }),
        });
      }
    }
  }

  private async timed(method: string, run: () => Promise<FenceMethodResult>): Promise<FenceAttempt> {
    const started = this.options.clock.monotonicMs();
    let result: FenceMethodResult;
    try {
      result = await run();
    } catch (cause) {
      // Parity: NodeFencer catches any Throwable from a method and tries the next one.
      result = { outcome: 'error', detail: `unexpected error: ${errorMessage(cause)}` };
    }
    const durationMs = Math.max(0, Math.round(this.options.clock.monotonicMs() - started));
    return {
      method,
      outcome: result.outcome,
      durationMs,
      detail: result.detail,
      ...(result.outputTail !== undefined && result.outputTail.length > 0 ? { outputTail: result.outputTail } : {}),
    };
  }

  private findConfigured(target: NamenodeTarget): ConfiguredTarget | undefined {
    return this.targets.find(({ config }) => {
      const known = config.target;
      return (
        known.nameserviceId === target.nameserviceId &&
        known.namenodeId === target.namenodeId &&
        known.serviceAddress.host.toLowerCase() === target.serviceAddress.host.toLowerCase() &&
        known.serviceAddress.port === target.serviceAddress.port
      );
    });
  }

  private notify(call: () => void): void {
    try {
      call();
    } catch (cause) {
      this.log.warn({ err: cause }, 'fencing listener threw; ignored');
    }
  }
}

/** Hadoop's default sshfence user is the JVM's user.name: the user this process runs as. */
function processUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['LOGNAME'] ?? 'root';
  }
}
