// Goal: the daemon's systemd notifications reach a NOTIFY_SOCKET the way systemd would receive
// them: the right VAR=VALUE lines, in call order, attributed to the daemon's PID when the sender
// may claim it (root), with systemd-notify's barrier acknowledged; and every failure (no socket,
// no binary, nobody listening, a manager that never acknowledges, a flood) ends as `false`
// within a bound, never as an exception or a stuck promise.
// Method: no systemd runs here (PID 1 is a sandbox agent), so a small python3 program plays the
// manager: it binds an AF_UNIX datagram socket with SO_PASSCRED, prints each datagram with its
// sender PID, and closes the fds systemd-notify passes with BARRIER=1, as systemd does. The real
// /usr/bin/systemd-notify sends to it. Shell stubs stand in for systemd-notify where the test is
// about our queueing rather than the protocol.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReadinessGate, SdNotifier, sdNotifierFromEnv, type NotifyLog } from '../../../src/runtime/sd-notify.js';
import { waitUntil } from '../../../tools/testing/wait.js';

const PYTHON = '/usr/bin/python3';
const SYSTEMD_NOTIFY = '/usr/bin/systemd-notify';

// The fake manager. argv[1]: socket path ('@name' = abstract). argv[2]: 'ack' closes barrier fds, 'hold' never does.
const RECEIVER = String.raw`
import array, json, os, socket, struct, sys
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\0' + path[1:] if path.startswith('@') else path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print(json.dumps({"listening": True}), flush=True)
held = []
while True:
    msg, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64 * 4) + socket.CMSG_SPACE(12))
    pid, fds = None, []
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack('iII', data[:12])[0]
        elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            a = array.array('i')
            a.frombytes(data[:len(data) - len(data) % a.itemsize])
            fds.extend(a)
    if mode == 'ack':
        for fd in fds:
            os.close(fd)
    else:
        held.extend(fds)
    print(json.dumps({"message": msg.decode('utf-8', 'replace'), "pid": pid, "fds": len(fds)}), flush=True)
`;

interface Datagram {
  readonly message: string;
  readonly pid: number | null;
  readonly fds: number;
}

class FakeManager {
  readonly datagrams: Datagram[] = [];

  private constructor() {}

  static async start(dir: string, socketPath: string, mode: 'ack' | 'hold'): Promise<FakeManager> {
    const script = join(dir, 'receiver.py');
    await writeFile(script, RECEIVER);
    const child = spawn(PYTHON, [script, socketPath, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const manager = new FakeManager();
    children.push(child); // killed in afterEach
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake manager did not start: ${stderr}`)), 10_000);
      child.once('error', (error) =>
        reject(new Error(`cannot run ${PYTHON}: ${error.message} (apt-get install -y python3)`)),
      );
      child.once('exit', (code) => reject(new Error(`fake manager exited ${code}: ${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const parsed = JSON.parse(line) as Datagram | { listening: true };
        if ('listening' in parsed) {
          clearTimeout(timer);
          resolve();
          return;
        }
        manager.datagrams.push(parsed);
      });
    });
    return manager;
  }

  /** The payloads other than barriers (what systemd acts on). */
  messages(): string[] {
    return this.datagrams.filter((d) => d.message !== 'BARRIER=1').map((d) => d.message);
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    await waitUntil(
      () => this.datagrams.length >= count,
      timeoutMs,
      () => `${count} datagrams, got ${JSON.stringify(this.datagrams)}`,
      5,
    );
  }
}

class RecordingLog implements NotifyLog {
  readonly lines: { level: string; fields: object; message: string }[] = [];
  debug(fields: object, message: string): void {
    this.lines.push({ level: 'debug', fields, message });
  }
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', fields, message });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', fields, message });
  }
}

const children: ChildProcess[] = [];
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkfc-sdnotify-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for systemd-notify that appends its arguments to a file, after an optional delay. */
async function recordingStub(delaySeconds = 0): Promise<{ command: string; calls: () => Promise<string[]> }> {
  const log = join(dir, 'calls.log');
  const command = join(dir, 'fake-systemd-notify');
  await writeFile(command, `#!/bin/sh\nsleep ${delaySeconds}\nprintf '%s\\n' "$*" >> '${log}'\n`);
  await chmod(command, 0o755);
  return {
    command,
    calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line.length > 0),
  };
}

describe('SdNotifier with the real systemd-notify', () => {
  it('delivers READY=1 with STATUS, attributed to the daemon, and gets its barrier acknowledged', async () => {
    const socketPath = join(dir, 'notify.sock');
    const manager = await FakeManager.start(dir, socketPath, 'ack');
    const notifier = new SdNotifier({ notifySocket: socketPath, log: new RecordingLog(), command: SYSTEMD_NOTIFY });
    expect(notifier.enabled).toBe(true);

    const started = Date.now();
    await expect(notifier.ready('connected to ZooKeeper; first health check done')).resolves.toBe(true);
    // The barrier was released by the manager, not waited out (systemd-notify gives up after 5 s).
    expect(Date.now() - started).toBeLessThan(4_000);
    await manager.waitFor(2);
    const [payload, barrier] = manager.datagrams;
    expect(
      payload!.message
        .split('\n')
        .filter((l) => l.length > 0)
        .sort(),
    ).toEqual(['READY=1', 'STATUS=connected to ZooKeeper; first health check done']);
    expect(barrier).toMatchObject({ message: 'BARRIER=1', fds: 1 });
    // systemd-notify claims its parent's PID; the kernel allows that only with CAP_SYS_ADMIN. As an
    // unprivileged user the datagram carries systemd-notify's own PID (hence NotifyAccess=all).
    if (process.getuid?.() === 0) expect(payload!.pid).toBe(process.pid);
    else expect(payload!.pid).not.toBe(process.pid);
  });

  it('keeps call order for STATUS, WATCHDOG and STOPPING sent back to back, on an abstract socket', async () => {
    const socketPath = `@zkfc-test-${process.pid}-${Date.now()}`;
    const manager = await FakeManager.start(dir, socketPath, 'ack');
    const notifier = new SdNotifier({ notifySocket: socketPath, log: new RecordingLog(), command: SYSTEMD_NOTIFY });
    const results = await Promise.all([
      notifier.status('waiting for: zkConnected'),
      notifier.watchdog(),
      notifier.status('line one\nline two'),
      notifier.stopping('quitting the election'),
    ]);
    expect(results).toEqual([true, true, true, true]);
    await manager.waitFor(8);
    expect(manager.messages().map((m) => m.trim())).toEqual([
      'STATUS=waiting for: zkConnected',
      'WATCHDOG=1',
      'STATUS=line one line two', // one datagram line per variable: newlines are flattened
      expect.stringMatching(/^(STOPPING=1\nSTATUS=quitting the election|STATUS=quitting the election\nSTOPPING=1)$/),
    ]);
  });

  it('shortens an over-long STATUS instead of sending it whole', async () => {
    const socketPath = join(dir, 'notify.sock');
    const manager = await FakeManager.start(dir, socketPath, 'ack');
    const notifier = new SdNotifier({ notifySocket: socketPath, log: new RecordingLog(), command: SYSTEMD_NOTIFY });
    await expect(notifier.status('x'.repeat(10_000))).resolves.toBe(true);
    await manager.waitFor(1);
    const status = manager.messages()[0]!.trim();
    expect(status.startsWith('STATUS=xxx')).toBe(true);
    expect([...status.slice('STATUS='.length)].length).toBe(200);
  });

  it('resolves false, with a warning naming the socket, when nobody listens', async () => {
    const log = new RecordingLog();
    const socketPath = join(dir, 'nobody.sock');
    const notifier = new SdNotifier({ notifySocket: socketPath, log, command: SYSTEMD_NOTIFY });
    await expect(notifier.ready()).resolves.toBe(false);
    const warning = log.lines.find((l) => l.level === 'warn');
    expect(warning?.message).toBe('sd_notify failed');
    expect(warning?.fields).toMatchObject({ notifySocket: socketPath });
  });

  it('kills systemd-notify and resolves false when the manager never acknowledges the barrier', async () => {
    const socketPath = join(dir, 'notify.sock');
    const manager = await FakeManager.start(dir, socketPath, 'hold');
    const notifier = new SdNotifier({
      notifySocket: socketPath,
      log: new RecordingLog(),
      command: SYSTEMD_NOTIFY,
      timeoutMs: 1_000,
    });
    const started = Date.now();
    await expect(notifier.ready()).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(4_000);
    await manager.waitFor(2);
    expect(manager.messages()).toEqual(['READY=1']);
  });
});

describe('SdNotifier bounds', () => {
  it('does nothing outside systemd (no NOTIFY_SOCKET)', async () => {
    const stub = await recordingStub();
    const notifier = new SdNotifier({ notifySocket: undefined, log: new RecordingLog(), command: stub.command });
    expect(notifier.enabled).toBe(false);
    expect(
      await Promise.all([notifier.ready(), notifier.status('x'), notifier.watchdog(), notifier.stopping()]),
    ).toEqual([false, false, false, false]);
    expect(await stub.calls()).toEqual([]);
  });

  it('resolves false and warns once when systemd-notify is missing', async () => {
    const log = new RecordingLog();
    const notifier = new SdNotifier({
      notifySocket: join(dir, 's'),
      log,
      command: join(dir, 'no-such-systemd-notify'),
    });
    expect(await notifier.ready()).toBe(false);
    expect(await notifier.status('again')).toBe(false);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'systemd-notify not found: cannot report readiness to systemd',
    ]);
  });

  it('drops STATUS and WATCHDOG when its queue is full but never READY or STOPPING', async () => {
    const stub = await recordingStub(0.2);
    const notifier = new SdNotifier({
      notifySocket: join(dir, 's'),
      log: new RecordingLog(),
      command: stub.command,
      maxPending: 2,
    });
    const results = await Promise.all([
      notifier.status('one'),
      notifier.status('two'),
      notifier.status('three'),
      notifier.watchdog(),
      notifier.ready('ready anyway'),
      notifier.stopping(),
    ]);
    expect(results).toEqual([true, true, false, false, true, true]);
    expect(await stub.calls()).toEqual(['STATUS=one', 'STATUS=two', 'READY=1 STATUS=ready anyway', 'STOPPING=1']);
    await notifier.flush();
  });
});

describe('sdNotifierFromEnv and the watchdog', () => {
  it('reads NOTIFY_SOCKET and WATCHDOG_USEC and can remove them from the environment children inherit', async () => {
    const stub = await recordingStub();
    const env: NodeJS.ProcessEnv = {
      NOTIFY_SOCKET: join(dir, 's'),
      WATCHDOG_USEC: '30000000',
      WATCHDOG_PID: String(process.pid),
      OTHER: 'kept',
    };
    const notifier = sdNotifierFromEnv(env, new RecordingLog(), { unsetEnvironment: true, command: stub.command });
    expect(notifier.enabled).toBe(true);
    expect(env).toEqual({ OTHER: 'kept' });

    // The watchdog pings at once and then every WATCHDOG_USEC / 2, on the injected clock.
    const scheduled: { delayMs: number; callback: () => void; cancelled: boolean }[] = [];
    const clock = {
      schedule(delayMs: number, callback: () => void) {
        const entry = { delayMs, callback, cancelled: false };
        scheduled.push(entry);
        return () => {
          entry.cancelled = true;
        };
      },
    };
    const stop = notifier.startWatchdog(clock);
    expect(scheduled.map((s) => s.delayMs)).toEqual([15_000]);
    scheduled[0]!.callback();
    expect(scheduled.map((s) => s.delayMs)).toEqual([15_000, 15_000]);
    stop();
    expect(scheduled[1]!.cancelled).toBe(true);
    await notifier.flush();
    expect(await stub.calls()).toEqual(['WATCHDOG=1', 'WATCHDOG=1']);
  });

  it('ignores a watchdog meant for another process and an unset socket', () => {
    const clockNeverUsed = {
      schedule(): () => void {
        throw new Error('no watchdog expected');
      },
    };
    const forOther = sdNotifierFromEnv(
      { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' },
      new RecordingLog(),
    );
    expect(forOther.enabled).toBe(true);
    expect(() => forOther.startWatchdog(clockNeverUsed)()).not.toThrow();
    const outside = sdNotifierFromEnv({ NOTIFY_SOCKET: '' }, new RecordingLog());
    expect(outside.enabled).toBe(false);
  });
});

describe('ReadinessGate', () => {
  it('fires once, only after every condition', () => {
    let fired = 0;
    const gate = new ReadinessGate(['zkConnected', 'firstHealthCheck'] as const, () => (fired += 1));
    gate.satisfy('zkConnected');
    gate.satisfy('zkConnected');
    expect([fired, gate.isReady, gate.waitingFor()]).toEqual([0, false, ['firstHealthCheck']]);
    gate.satisfy('firstHealthCheck');
    gate.satisfy('firstHealthCheck');
    gate.satisfy('zkConnected');
    expect([fired, gate.isReady, gate.waitingFor()]).toEqual([1, true, []]);
  });
});
