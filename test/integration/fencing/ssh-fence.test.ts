// Goal: sshfence against a real OpenSSH server behaves as Hadoop's SshFenceByTcpPort where Hadoop
// is right (fuser kills the port owner; "nothing listening" is success), fails where Hadoop would
// wrongly succeed (nc missing), and is bounded in time where Hadoop hangs (black-holed host, hung
// fuser). Method: a real sshd on loopback (tools/testing/sshd.ts); a real `node` TCP
// listener as the NameNode to kill; a second sshd whose sessions get a PATH with a scripted fake
// fuser (modes: real, hang, exit 1, exit 2) and an optional nc; an iptables DROP rule on a
// loopback address for the connect timeout (removed in finally). Also checks the harness's own
// promises: a missing sshd is an error with install instructions, and stop() leaves nothing behind.
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  chmodSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshFence, sshFenceCommands, type SshFenceOptions } from '../../../src/fencing/ssh-fence.js';
import { SshdMissingError, startSshd, type SshdHarness } from '../../../tools/testing/sshd.js';
import { freePort } from '../../../tools/testing/net.js';
import { processAlive } from '../../../tools/testing/processes.js';
import { captureLogger, killQuietly, spawnListener } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';
import { waitUntil } from '../../../tools/testing/wait.js';

let sshd: SshdHarness;
let fakeSshd: SshdHarness;
let fakeBin: string;

function setFuserMode(mode: 'real' | 'hang' | 'exit1' | 'exit2'): void {
  writeFileSync(join(fakeBin, 'mode'), mode);
}
function setNcAvailable(available: boolean): void {
  const link = join(fakeBin, 'nc');
  if (available && !existsSync(link)) symlinkSync('/usr/bin/nc', link);
  if (!available && existsSync(link)) unlinkSync(link);
}

beforeAll(async () => {
  fakeBin = mkdtempSync(join(tmpdir(), 'zkfc-fakebin-'));
  writeFileSync(
    join(fakeBin, 'fuser'),
    [
      '#!/bin/sh',
      `mode=$(/bin/cat ${fakeBin}/mode)`,
      'case "$mode" in',
      '  real) exec /usr/bin/fuser "$@" ;;',
      `  hang) echo $$ > ${fakeBin}/hang.pid; exec /bin/sleep 120 ;;`,
      '  exit1) echo "fake fuser: nothing found" >&2; exit 1 ;;',
      '  *) echo "fake fuser: error" >&2; exit 2 ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(fakeBin, 'fuser'), 0o755);
  setFuserMode('real');
  [sshd, fakeSshd] = await Promise.all([startSshd(), startSshd({ sessionEnv: { PATH: fakeBin } })]);
});

afterAll(async () => {
  await Promise.all([sshd?.stop(), fakeSshd?.stop()]);
  const hangPid = existsSync(join(fakeBin, 'hang.pid'))
    ? Number(readFileSync(join(fakeBin, 'hang.pid'), 'utf8'))
    : undefined;
  killQuietly(hangPid);
  rmSync(fakeBin, { recursive: true, force: true });
});

function options(server: SshdHarness, port: number, overrides: Partial<SshFenceOptions> = {}): SshFenceOptions {
  return {
    address: { host: '127.0.0.1', port },
    user: server.user,
    sshPort: server.port,
    privateKeyFiles: [server.clientKeyPath],
    connectTimeoutMs: 10_000,
    commandTimeoutMs: 15_000,
    clock: realClock,
    logger: captureLogger().logger,
    ...overrides,
  };
}

describe('sshfence against a real sshd', () => {
  it('kills the process listening on the target port (fuser exit 0)', async () => {
    const listener = await spawnListener();
    try {
      const captured = captureLogger();
      const result = await sshFence(options(sshd, listener.port, { logger: captured.logger }));
      expect(result).toMatchObject({ outcome: 'success' });
      expect(result.detail).toContain(`port ${listener.port}`);
      expect(await listener.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // fuser -v prints the killed process; the remote output reaches our log line by line.
      const output = captured.records().filter((r) => r['msg'] === 'remote fencing command output');
      expect(output.some((r) => String(r['command']).includes(`fuser -v -k -n tcp ${listener.port} via ssh`))).toBe(
        true,
      );
      expect(
        output.some((r) => String(r['line']).includes(String(listener.pid)) || String(r['line']).includes('node')),
      ).toBe(true);
    } finally {
      listener.kill();
    }
  });

  it('reports success when nothing listens (fuser exit 1, nc -z exit 1)', async () => {
    const port = await freePort();
    const result = await sshFence(options(sshd, port));
    expect(result).toEqual({
      outcome: 'success',
      detail: expect.stringContaining(`nothing listening on port ${port}`),
    });
  });

  it('accepts the key among several key files', async () => {
    const other = sshd.createUnauthorizedKey('first-but-wrong');
    const port = await freePort();
    const result = await sshFence(options(sshd, port, { privateKeyFiles: [other, sshd.clientKeyPath] }));
    expect(result.outcome).toBe('success');
  });

  it('fails cleanly with a key the server does not accept', async () => {
    const wrongKey = sshd.createUnauthorizedKey();
    const result = await sshFence(options(sshd, await freePort(), { privateKeyFiles: [wrongKey] }));
    expect(result.outcome).toBe('error');
    expect(result.detail).toMatch(/authentication methods failed/);
  });

  it('fails cleanly with a user the server does not know', async () => {
    const result = await sshFence(options(sshd, await freePort(), { user: 'zkfc-no-such-user' }));
    expect(result.outcome).toBe('error');
    expect(result.detail).toContain('zkfc-no-such-user@127.0.0.1');
  });

  it('fails cleanly with a missing or unusable key file, without connecting', async () => {
    const missing = await sshFence(options(sshd, 1234, { privateKeyFiles: ['/nonexistent/id_rsa'] }));
    expect(missing).toEqual({
      outcome: 'error',
      detail: expect.stringContaining('cannot read private key file /nonexistent/id_rsa'),
    });
    const notAKey = join(sshd.dir, 'not-a-key');
    writeFileSync(notAKey, 'hello');
    const garbage = await sshFence(options(sshd, 1234, { privateKeyFiles: [notAKey] }));
    expect(garbage).toEqual({
      outcome: 'error',
      detail: expect.stringContaining(`cannot use private key file ${notAKey}`),
    });
    const none = await sshFence(options(sshd, 1234, { privateKeyFiles: [] }));
    expect(none.detail).toContain('no private key configured');
  });

  it('fails fast when the ssh port is closed (connection refused)', async () => {
    const started = performance.now();
    const result = await sshFence(options(sshd, 1234, { sshPort: await freePort() }));
    expect(result.outcome).toBe('error');
    expect(result.detail).toMatch(/ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('gives up on a black-holed host within the connect timeout', async () => {
    // 127.0.0.0/8 is all loopback; a DROP rule for one unusual address and port swallows the SYNs.
    const address = `127.77.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    const port = await freePort();
    const rule = ['INPUT', '-d', address, '-p', 'tcp', '--dport', String(port), '-j', 'DROP'];
    execFileSync('iptables', ['-I', ...rule]);
    try {
      const started = performance.now();
      const result = await sshFence(
        options(sshd, 8020, { address: { host: address, port: 8020 }, sshPort: port, connectTimeoutMs: 1500 }),
      );
      const elapsedMs = performance.now() - started;
      expect(result.outcome).toBe('timeout');
      expect(result.detail).toContain('within 1500 ms');
      expect(elapsedMs).toBeGreaterThanOrEqual(1400);
      expect(elapsedMs).toBeLessThan(4_000);
    } finally {
      execFileSync('iptables', ['-D', ...rule]);
    }
  });

  it('refuses a hostile host before connecting (values from ZooKeeper never reach the command line)', async () => {
    const marker = join(sshd.dir, 'injected');
    for (const host of [`x;touch ${marker}`, '$(touch /tmp/x)', 'a b', "nn1'", 'nn1`id`', '', '-oProxyCommand=x']) {
      const result = await sshFence(options(sshd, 8020, { address: { host, port: 8020 } }));
      expect(result.outcome).toBe('error');
      expect(result.detail).toContain('refusing sshfence target host');
    }
    expect(existsSync(marker)).toBe(false);
    expect(() => sshFenceCommands({ host: 'nn1.example.com', port: 8020.5 })).toThrow(/port/);
    expect(sshFenceCommands({ host: 'nn1.example.com', port: 8020 })).toEqual({
      fuser: 'PATH=$PATH:/sbin:/usr/sbin fuser -v -k -n tcp 8020',
      nc: 'nc -z nn1.example.com 8020',
    });
  });
});

describe('sshfence remote command outcomes (scripted fuser, optional nc)', () => {
  it('fails when nc cannot run after fuser exit 1 (Hadoop would report success)', async () => {
    setFuserMode('exit1');
    setNcAvailable(false);
    const result = await sshFence(options(fakeSshd, await freePort()));
    expect(result.outcome).toBe('failure');
    expect(result.detail).toContain('could not verify');
    expect(result.detail).toContain('exited 127 (command not found)');
  });

  it('fails when fuser exits 1 but the port is still listening (nc -z exit 0)', async () => {
    setFuserMode('exit1');
    setNcAvailable(true);
    const listener = await spawnListener();
    try {
      const result = await sshFence(options(fakeSshd, listener.port));
      expect(result).toEqual({ outcome: 'failure', detail: expect.stringContaining('still listening') });
      expect(processAlive(listener.pid)).toBe(true);
    } finally {
      listener.kill();
    }
  });

  it('succeeds through the nc branch when the port is closed', async () => {
    setFuserMode('exit1');
    setNcAvailable(true);
    const result = await sshFence(options(fakeSshd, await freePort()));
    expect(result.outcome).toBe('success');
  });

  it('fails on any other fuser exit code', async () => {
    setFuserMode('exit2');
    const result = await sshFence(options(fakeSshd, await freePort()));
    expect(result).toEqual({ outcome: 'failure', detail: expect.stringContaining('exited 2') });
  });

  it('gives up on a hung fuser within the command deadline and closes the channel', async () => {
    setFuserMode('hang');
    const started = performance.now();
    const result = await sshFence(options(fakeSshd, await freePort(), { commandTimeoutMs: 1500 }));
    const elapsedMs = performance.now() - started;
    expect(result.outcome).toBe('timeout');
    expect(result.detail).toContain('did not finish within 1500 ms');
    expect(elapsedMs).toBeGreaterThanOrEqual(1400);
    expect(elapsedMs).toBeLessThan(5_000);
    // The hung remote process was started; whether the server honoured the KILL signal request or
    // not, our side is free. Clean it up either way.
    await waitUntil(() => existsSync(join(fakeBin, 'hang.pid')), 2000, 'existsSync(join(fakeBin, hang.pid))');
    killQuietly(Number(readFileSync(join(fakeBin, 'hang.pid'), 'utf8')));
    setFuserMode('real');
  });
});

describe('sshd harness', () => {
  it('fails (never skips) with install instructions when sshd is missing', async () => {
    const attempt = startSshd({ sshdPath: '/nonexistent/sbin/sshd' });
    await expect(attempt).rejects.toBeInstanceOf(SshdMissingError);
    await expect(attempt).rejects.toThrow(/apt-get install -y openssh-server.*scripts\/ensure-deps\.sh/);
  });

  it('stop() ends the server and removes its directory', async () => {
    const server = await startSshd();
    expect(processAlive(server.pid)).toBe(true);
    await server.stop();
    expect(processAlive(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    await server.stop(); // idempotent
  });
});
