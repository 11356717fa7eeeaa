// Goal: the small building blocks of fencing behave exactly: which hosts/ports may reach a remote
// command line, Java's InetSocketAddress text for target_address, the shell environment's
// precedence and filtering, the bounded output line splitter, key-file list parsing, and the
// "Fencing is not configured" error with exit code 4. Method: table tests on the functions; the
// DNS lookup uses the real resolver on "localhost" and a name under the reserved .invalid TLD.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/errors.js';
import { BadFencingConfigurationError, FenceTargetRejectedError } from '../../../src/fencing/errors.js';
import { checkFencingConfigured, describeTarget, parsePrivateKeyFiles } from '../../../src/fencing/fencing-config.js';
import { OutputLineSplitter } from '../../../src/fencing/output-lines.js';
import { buildShellFenceEnvironment, targetEnvironment } from '../../../src/fencing/shell-fence.js';
import {
  assertSafeFenceAddress,
  formatJavaSocketAddress,
  isSafeHost,
  isValidPort,
  javaInet6Text,
  resolveHostBestEffort,
} from '../../../src/fencing/target-address.js';
import { realClock as clock } from '../../../tools/testing/clock.js';
import { NN2 } from '../../support/namenode-targets.js';

const target = NN2;

describe('isSafeHost', () => {
  it.each([
    'nn1',
    'nn1.example.com',
    'NN-1.Example.COM',
    'host_with_underscore.corp',
    '10.0.0.1',
    '::1',
    'fe80::1',
    '2001:db8::8a2e:370:7334',
    '::ffff:10.0.0.1',
    'a'.repeat(63) + '.com',
  ])('accepts %j', (host) => {
    expect(isSafeHost(host)).toBe(true);
  });

  it.each([
    '',
    ' ',
    'nn1 ',
    'nn1;reboot',
    '$(id)',
    '`id`',
    'nn1&&id',
    'nn1|id',
    "nn1'",
    'nn1"',
    'nn1\nid',
    'nn1\\',
    '-oProxyCommand=id',
    'nn1-',
    '.nn1',
    'nn1..example',
    'nn1/x',
    'fe80::1%eth0',
    'a'.repeat(64) + '.com',
    ('a'.repeat(60) + '.').repeat(5),
    'nn1:8020',
    '*',
  ])('refuses %j', (host) => {
    expect(isSafeHost(host)).toBe(false);
  });

  it('ports must be integers in 1..65535', () => {
    expect([1, 22, 8020, 65535].every(isValidPort)).toBe(true);
    expect([0, -1, 65536, 8020.5, Number.NaN, Infinity].some(isValidPort)).toBe(false);
  });

  it('assertSafeFenceAddress names the rejected value', () => {
    expect(() => assertSafeFenceAddress({ host: 'x;y', port: 1 })).toThrow(FenceTargetRejectedError);
    expect(() => assertSafeFenceAddress({ host: 'x;y', port: 1 })).toThrow('refusing fencing target host "x;y"');
    expect(() => assertSafeFenceAddress({ host: 'x', port: 0 })).toThrow('refusing fencing target port 0');
  });
});

describe("Java's InetSocketAddress.toString for target_address", () => {
  it.each<[string, string | undefined, number, string]>([
    ['nn1.example.com', '10.0.0.5', 8020, 'nn1.example.com/10.0.0.5:8020'],
    ['10.0.0.5', '10.0.0.5', 8020, '10.0.0.5/10.0.0.5:8020'],
    ['nn1.example.com', undefined, 8020, 'nn1.example.com/<unresolved>:8020'],
    ['nn1', '::1', 9000, 'nn1/[0:0:0:0:0:0:0:1]:9000'],
    ['nn1', '2001:db8::1', 9000, 'nn1/[2001:db8:0:0:0:0:0:1]:9000'],
    ['nn1', '::ffff:10.1.2.3', 9000, 'nn1/10.1.2.3:9000'],
  ])('%s + %s', (host, ip, port, expected) => {
    expect(formatJavaSocketAddress(host, ip, port)).toBe(expected);
  });

  it.each<[string, string]>([
    ['::', '0:0:0:0:0:0:0:0'],
    ['fe80::0001:00ab', 'fe80:0:0:0:0:0:1:ab'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0:0:0:c000:221'],
  ])('javaInet6Text(%s)', (ip, expected) => {
    expect(javaInet6Text(ip)).toBe(expected);
  });

  it('resolves best-effort and never rejects', async () => {
    expect(await resolveHostBestEffort('10.9.8.7', 1000, clock)).toBe('10.9.8.7');
    expect(await resolveHostBestEffort('localhost', 3000, clock)).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(await resolveHostBestEffort('no-such-host.invalid', 3000, clock)).toBeUndefined();
  });
});

describe('shell fencing environment', () => {
  it('target_* variables', () => {
    expect(targetEnvironment(target, '10.0.0.2')).toEqual({
      target_address: 'nn2.example.com/10.0.0.2:8020',
      target_host: 'nn2.example.com',
      target_port: '8020',
      target_nameserviceid: 'ns1',
      target_namenodeid: 'nn2',
    });
  });

  it('applies base env, then conf (. → _), then target variables, and skips what an environment cannot hold', () => {
    const { env, skippedKeys } = buildShellFenceEnvironment(
      { A: 'base', dfs_x: 'base', target_port: 'base', UNSET: undefined },
      new Map([
        ['dfs.x', 'conf'],
        ['target.port', 'conf'],
        ['a.b.c', 'v'],
        ['bad=key', 'v'],
        ['nul.value', 'a\0b'],
        ['', 'empty key'],
      ]),
      target,
      undefined,
    );
    expect(env).toEqual({
      A: 'base',
      dfs_x: 'conf',
      target_port: '8020',
      a_b_c: 'v',
      target_address: 'nn2.example.com/<unresolved>:8020',
      target_host: 'nn2.example.com',
      target_nameserviceid: 'ns1',
      target_namenodeid: 'nn2',
    });
    expect(skippedKeys).toEqual(['bad=key', 'nul_value', '']);
  });
});

describe('OutputLineSplitter', () => {
  const collect = (limits = { maxLineChars: 10, maxLines: 3 }) => {
    const lines: string[] = [];
    const splitter = new OutputLineSplitter(limits, (line) => lines.push(line));
    return { lines, splitter };
  };

  it('joins chunks, splits lines, drops CR, flushes the last line on end', () => {
    const { lines, splitter } = collect({ maxLineChars: 100, maxLines: 100 });
    splitter.push('ab');
    splitter.push(Buffer.from('c\r\nde\n\nf'));
    splitter.end();
    expect(lines).toEqual(['abc', 'de', '', 'f']);
  });

  it('does not split a UTF-8 character across chunks', () => {
    const { lines, splitter } = collect({ maxLineChars: 100, maxLines: 100 });
    const bytes = Buffer.from('é€\n');
    for (const byte of bytes) splitter.push(Buffer.from([byte]));
    splitter.end();
    expect(lines).toEqual(['é€']);
  });

  it('cuts long lines and counts lines beyond the limit', () => {
    const { lines, splitter } = collect();
    splitter.push('0123456789abcdef\nshort\nthird\nfourth\nfifth\n');
    splitter.push('x'.repeat(100_000));
    splitter.end();
    expect(lines).toEqual(['0123456789…[cut]', 'short', 'third']);
    expect(splitter.droppedLines).toBe(3);
  });
});

describe('fencing configuration', () => {
  it('dfs.ha.fencing.ssh.private-key-files is comma-separated and trimmed', () => {
    expect(parsePrivateKeyFiles(undefined)).toEqual([]);
    expect(parsePrivateKeyFiles(' /a/id_rsa , /b/id_ed25519,, ')).toEqual(['/a/id_rsa', '/b/id_ed25519']);
  });

  it('returns the parsed methods of a usable configuration', () => {
    expect(checkFencingConfigured('sshfence\nshell(/bin/true)', target).map((m) => m.kind)).toEqual([
      'sshfence',
      'shell',
    ]);
  });

  it.each<[string, string | undefined, string]>([
    ['missing', undefined, 'dfs.ha.fencing.methods is not set'],
    ['unparsable', 'sshfence(', "Unable to parse line: 'sshfence('"],
    ['powershell', 'powershell', 'cannot run powershell in zkfc'],
  ])('refuses a %s configuration with exit code 4 and the key', (_name, value, message) => {
    let error: unknown;
    try {
      checkFencingConfigured(value, target);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BadFencingConfigurationError);
    const bad = error as BadFencingConfigurationError;
    expect(bad.exitCode).toBe(ExitCode.NO_FENCER);
    expect(bad.code).toBe('CONFIG_INVALID');
    expect(bad.key).toBe('dfs.ha.fencing.methods');
    expect(bad.message).toContain(`Fencing is not configured for ${describeTarget(target)}`);
    expect(bad.message).toContain(message);
    expect(bad.message).toContain('You must configure a fencing method before using automatic failover.');
  });
});
