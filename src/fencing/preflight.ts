// Fencing preflight: a periodic, cheap check that each configured fencing method could work right
// now against the NameNodes we may have to fence (the other NameNodes of the nameservice), so a
// broken fencer shows up on the status page and in metrics before a failover needs it, not during
// one. Not a Hadoop feature (Hadoop discovers a broken fencer only when fencing fails).
//
// Checks, all bounded in time and side-effect free on the peers:
// - sshfence: TCP connect + SSH authentication with the configured keys + `command -v` for fuser
//   and nc on each peer host (our sshfence needs both: nc decides when fuser found nothing);
// - shell: the command's first word resolves to an executable, a bash builtin/keyword, and bash
//   itself can be started; a command that Hadoop 3.3+ would refuse (one comma) is reported.
// Runs never overlap: the next run is scheduled only after the previous one finished
// (src/runtime/periodic-task.ts).

import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import {
  parseFenceMethods,
  resolveShellCommandForZkfc,
  type FenceMethodSpec,
  type ShellFenceMethodSpec,
  type SshFenceMethodSpec,
} from '../core/fencing/fence-spec.js';
import type { NamenodeTarget } from '../core/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { PeriodicTask } from '../runtime/periodic-task.js';
import type { Clock } from '../runtime/ports.js';
import type { FencingTargetConfig, SshFenceSettings } from './node-fencer.js';
import { buildShellFenceEnvironment } from './shell-fence.js';
import { SSH_CONNECT_TIMEOUT_DEFAULT_MS } from './ssh-fence.js';
import { connectSsh } from './ssh-session.js';
import { isSafeHost } from './target-address.js';

export const PREFLIGHT_INTERVAL_DEFAULT_MS = 60_000;
/** Bound of one check (ssh connect, remote command, local bash). */
export const PREFLIGHT_CHECK_TIMEOUT_DEFAULT_MS = 10_000;

/** Readiness of one configured method (the shape the status page and metrics take). */
export interface FencingReadiness {
  /** The method as configured, e.g. `sshfence(hdfs:22)`. */
  readonly method: string;
  readonly ready: boolean;
  readonly detail: string;
  /** Wall-clock ms of the check; null before the first run. */
  readonly checkedAtMs: number | null;
  /** Per fenced NameNode, for methods that depend on the peer (sshfence). */
  readonly targets?: readonly { readonly namenodeId: string; readonly ready: boolean; readonly detail: string }[];
}

export interface FencingPreflightOptions {
  /** The NameNodes this ZKFC may have to fence: the other NameNodes of the nameservice. */
  readonly targets: readonly FencingTargetConfig[];
  readonly ssh?: SshFenceSettings;
  /** Pause between runs (zkfc.fencing.preflight.interval.ms). Default 60000. */
  readonly intervalMs?: number;
  /** Bound of each individual check. Default 10000. */
  readonly checkTimeoutMs?: number;
  /** Base environment for the shell check. Default: this process's environment. */
  readonly shellBaseEnv?: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface MethodUse {
  readonly spec: FenceMethodSpec;
  readonly targets: FencingTargetConfig[];
}

type CheckResult = { readonly ready: boolean; readonly detail: string };

// A fixed remote script: no value from configuration or ZooKeeper is part of it.
const REMOTE_TOOLS_CHECK =
  'PATH=$PATH:/sbin:/usr/sbin; for t in fuser nc; do if command -v "$t" ' +
  '>/dev/null 2>&1; then echo "$t=ok"; else echo "$t=missing"; fi; done';

export class FencingPreflight {
  private readonly uses: readonly MethodUse[];
  private current: readonly FencingReadiness[];
  private readonly changeListeners = new Set<(readiness: readonly FencingReadiness[]) => void>();
  private readonly runListeners = new Set<(readiness: readonly FencingReadiness[]) => void>();
  private readonly task: PeriodicTask<readonly FencingReadiness[]>;
  private readonly log: Logger;
  private readonly checkTimeoutMs: number;

  constructor(private readonly options: FencingPreflightOptions) {
    this.log = options.logger;
    this.checkTimeoutMs = options.checkTimeoutMs ?? PREFLIGHT_CHECK_TIMEOUT_DEFAULT_MS;
    this.uses = collectMethodUses(options.targets);
    this.current = this.uses.map((use) => ({
      method: use.spec.text,
      ready: false,
      detail: 'not checked yet',
      checkedAtMs: null,
    }));
    this.task = new PeriodicTask({
      clock: options.clock,
      run: () => this.run(),
      delayAfter: () => options.intervalMs ?? PREFLIGHT_INTERVAL_DEFAULT_MS,
      onError: (cause) => this.log.error({ err: cause }, 'fencing preflight run failed'),
    });
  }

  /** The latest readiness per configured method. */
  readiness(): readonly FencingReadiness[] {
    return this.current;
  }

  /** Called after a run in which any method's ready flag or detail changed (and after the first run). */
  onChange(listener: (readiness: readonly FencingReadiness[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Called after every run (fresh checkedAtMs), e.g. for the status page. */
  onRun(listener: (readiness: readonly FencingReadiness[]) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /** Run now, then every intervalMs after each run ends. */
  start(): void {
    this.task.start();
  }

  /** Stop scheduling and wait for a run in progress (itself bounded). */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One run; if a run is already in progress, its result (runs never overlap). */
  runOnce(): Promise<readonly FencingReadiness[]> {
    return this.task.runOnce();
  }

  private async run(): Promise<readonly FencingReadiness[]> {
    const results = await Promise.all(this.uses.map((use) => this.checkUse(use)));
    const checkedAtMs = this.options.clock.wallMs();
    const next = results.map((result, index) => ({
      ...result,
      method: this.uses[index]?.spec.text ?? '',
      checkedAtMs,
    }));
    const previous = this.current;
    const first = previous.every((entry) => entry.checkedAtMs === null);
    let changed = first;
    for (const [index, entry] of next.entries()) {
      const before = previous[index];
      if (before === undefined || before.ready !== entry.ready || before.detail !== entry.detail) changed = true;
      if (before !== undefined && (before.checkedAtMs === null || before.ready !== entry.ready)) {
        const fields = {
          method: entry.method,
          from: before.checkedAtMs === null ? 'unknown' : label(before.ready),
          to: label(entry.ready),
          reason: entry.detail,
        };
        if (entry.ready) this.log.info(fields, 'fencing method readiness changed');
        else this.log.warn(fields, 'fencing method readiness changed');
      }
    }
    this.current = next;
    for (const listener of this.runListeners) this.notify(listener, next);
    if (changed) for (const listener of this.changeListeners) this.notify(listener, next);
    return next;
  }

  private async checkUse(use: MethodUse): Promise<Omit<FencingReadiness, 'method' | 'checkedAtMs'>> {
    try {
      if (use.spec.kind === 'sshfence') return await this.checkSsh(use.spec, use.targets);
      return await this.checkShell(use.spec, use.targets[0]);
    } catch (cause) {
      return { ready: false, detail: `check failed: ${errorMessage(cause)}` };
    }
  }

  private async checkSsh(
    spec: SshFenceMethodSpec,
    targets: readonly FencingTargetConfig[],
  ): Promise<Omit<FencingReadiness, 'method' | 'checkedAtMs'>> {
    const perTarget = await Promise.all(
      targets.map(async ({ target }) => ({
        namenodeId: target.namenodeId,
        ...(await this.checkSshTarget(spec, target)),
      })),
    );
    const ready = perTarget.every((entry) => entry.ready);
    const detail = perTarget.map((entry) => `${entry.namenodeId}: ${entry.detail}`).join('; ');
    return { ready, detail, targets: perTarget };
  }

  private async checkSshTarget(spec: SshFenceMethodSpec, target: NamenodeTarget): Promise<CheckResult> {
    const host = target.serviceAddress.host;
    if (!isSafeHost(host))
      return { ready: false, detail: `host ${JSON.stringify(host)} is not a valid host name or IP address` };
    const ssh = this.options.ssh;
    const user = spec.user ?? ssh?.defaultUser ?? userInfo().username;
    const where = `${user}@${host}:${spec.sshPort}`;
    const connected = await connectSsh({
      host,
      sshPort: spec.sshPort,
      user,
      privateKeyFiles: ssh?.privateKeyFiles ?? [],
      connectTimeoutMs: Math.min(ssh?.connectTimeoutMs ?? SSH_CONNECT_TIMEOUT_DEFAULT_MS, this.checkTimeoutMs),
      clock: this.options.clock,
    });
    if (!connected.ok) return { ready: false, detail: connected.detail };
    try {
      const lines: string[] = [];
      const result = await connected.session.exec(REMOTE_TOOLS_CHECK, {
        timeoutMs: this.checkTimeoutMs,
        onLine: (stream, line) => {
          if (stream === 'stdout' && lines.length < 10) lines.push(line.trim());
        },
      });
      if (result.kind !== 'exited' || result.code !== 0) {
        return {
          ready: false,
          detail:
            `ssh to ${where} ok, but the tool check did not run ` +
            `(${result.kind === 'exited' ? `exit ${result.code}` : result.kind})`,
        };
      }
      const missing = ['fuser', 'nc'].filter((tool) => !lines.includes(`${tool}=ok`));
      if (missing.length > 0)
        return { ready: false, detail: `ssh to ${where} ok, but ${missing.join(' and ')} not found on the host` };
      return { ready: true, detail: `ssh to ${where} ok, fuser and nc found` };
    } finally {
      connected.session.close();
    }
  }

  private async checkShell(
    spec: ShellFenceMethodSpec,
    targetConfig: FencingTargetConfig | undefined,
  ): Promise<CheckResult> {
    const resolved = resolveShellCommandForZkfc(spec);
    if (!resolved.ok) {
      return {
        ready: false,
        detail: `this command always fails when the ZKFC fences (Hadoop 3.3+ comma rule: ${resolved.message})`,
      };
    }
    const word = firstWord(resolved.command);
    if (word.kind === 'empty') return { ready: true, detail: 'empty command (always succeeds)' };
    if (word.kind === 'dynamic')
      return {
        ready: true,
        detail: `first word ${JSON.stringify(word.text)} is computed when the command runs; not checked`,
      };
    const env =
      targetConfig === undefined
        ? { ...(this.options.shellBaseEnv ?? process.env) }
        : buildShellFenceEnvironment(
            this.options.shellBaseEnv ?? process.env,
            targetConfig.conf,
            targetConfig.target,
            undefined,
          ).env;
    // `type` answers "file" only for an executable file (on PATH, or the path itself).
    return runBashTypeCheck(word.text, env, this.checkTimeoutMs, this.options.clock);
  }

  private notify(
    listener: (readiness: readonly FencingReadiness[]) => void,
    readiness: readonly FencingReadiness[],
  ): void {
    try {
      listener(readiness);
    } catch (cause) {
      this.log.warn({ err: cause }, 'fencing preflight listener threw; ignored');
    }
  }
}

function label(ready: boolean): string {
  return ready ? 'ready' : 'not-ready';
}

/** Methods in configuration order, each with every target that configures it (same text). */
function collectMethodUses(targets: readonly FencingTargetConfig[]): MethodUse[] {
  const byText = new Map<string, MethodUse>();
  for (const config of targets) {
    if (config.fencingMethods === undefined) continue;
    const parsed = parseFenceMethods(config.fencingMethods);
    if (!parsed.ok) continue; // reported by the daemon's configuration check, not here
    for (const spec of parsed.methods) {
      const use = byText.get(spec.text);
      if (use) use.targets.push(config);
      else byText.set(spec.text, { spec, targets: [config] });
    }
  }
  return [...byText.values()];
}

/**
 * The word bash will look up to run `command`: leading variable assignments are skipped; simple
 * quotes are removed. Words built from expansions ($VAR, $(...), `...`) or globs are "dynamic":
 * evaluating them would mean running parts of the command, which a preflight must not do.
 */
export function firstWord(
  command: string,
): { readonly kind: 'word' | 'dynamic'; readonly text: string } | { readonly kind: 'empty' } {
  const words = command
    .trim()
    .split(/[\s;&|<>()]+/)
    .filter((w) => w.length > 0);
  for (const word of words) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue; // FOO=bar cmd
    if (/[$`*?[\\]/.test(word)) return { kind: 'dynamic', text: word };
    const unquoted = word.replace(/^(['"])(.*)\1$/, '$2');
    if (/['"]/.test(unquoted)) return { kind: 'dynamic', text: word };
    return { kind: 'word', text: unquoted };
  }
  return { kind: 'empty' };
}

/** `bash -c 'type -t -- "$1"' _ <word>`: the word is an argument, never part of the script. */
function runBashTypeCheck(word: string, env: NodeJS.ProcessEnv, timeoutMs: number, clock: Clock): Promise<CheckResult> {
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    let output = '';
    const finish = (result: CheckResult): void => {
      if (settled) return;
      settled = true;
      cancel();
      resolve(result);
    };
    let child;
    try {
      child = spawn('bash', ['-c', 'type -t -- "$1"', 'fencing-preflight', word], {
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (cause) {
      resolve({ ready: false, detail: `cannot start bash: ${errorMessage(cause)}` });
      return;
    }
    const cancel = clock.schedule(timeoutMs, () => {
      child.kill('SIGKILL');
      finish({ ready: false, detail: `bash did not answer within ${timeoutMs} ms` });
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (output.length < 256) output += chunk.toString('utf8');
    });
    child.once('error', (cause) => finish({ ready: false, detail: `cannot start bash: ${cause.message}` }));
    child.once('close', (code) => {
      const kind = output.trim();
      if (code === 0 && kind.length > 0)
        finish({ ready: true, detail: `bash found; ${JSON.stringify(word)} is a ${kind}` });
      else
        finish({
          ready: false,
          detail: `${JSON.stringify(word)} not found (not an executable on PATH, builtin or keyword)`,
        });
    });
  });
}
