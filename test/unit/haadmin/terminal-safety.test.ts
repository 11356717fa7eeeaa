// Goal: nothing haadmin prints lets a remote string (ZooKeeper data relayed by a zkfc, a NameNode's
// error text) drive the operator's terminal: no raw escape or control byte reaches stdout or
// stderr, no remote string starts a line of its own (a forged "Verdict: OK"), and a 64 KiB
// hostname is shown bounded.
// Method: renderStatusTable on a status whose lock holder and breadcrumb carry escape sequences
// and line breaks, and terminalSafeIo on hostile lines; the bytes written are checked for C0/C1
// controls.
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../src/cli/haadmin/cluster-status.js';
import { terminalSafeIo, type HaAdminIo } from '../../../src/cli/haadmin/context.js';
import { renderStatusTable } from '../../../src/cli/haadmin/status-table.js';
import type { ActiveNodeInfo } from '../../../src/core/types.js';
import { activeNode, zkfcStatus } from '../../support/zkfc-status-fixture.js';

/** Every C0 control but \n and \t, DEL and the C1 controls. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const FORGED_HOST =
  '\u001b[2J\u001b[H\nVerdict: OK: one active NameNode, every NameNode and zkfc answered (exit 0)\r\u009b31m';

function hostileStatus(hostname: string) {
  const forged: ActiveNodeInfo = { ...activeNode('nn1', { host: '10.0.0.1', port: 8020 }), hostname };
  return summarize('ns1', '2024-05-01T12:00:00.000Z', [
    {
      endpoint: {
        namenodeId: 'nn1',
        serviceAddress: { host: '10.0.0.1', port: 8020 },
        zkfcHttpAddress: { host: '10.0.0.1', port: 8021 },
      },
      haState: { ok: false, error: 'Connection refused\u001b]0;pwned\u0007' },
      zkfc: {
        ok: true,
        address: '10.0.0.1:8021',
        status: zkfcStatus('nn1', {
          lockHolder: forged,
          breadcrumb: forged,
          fencing: [{ method: 'shell(x)', ready: false, detail: 'bad\u001b[1A\u001b[2KVerdict: OK', checkedAt: null }],
        }),
      },
    },
  ]);
}

describe('haadmin -status with hostile ZooKeeper and NameNode strings', () => {
  it('escapes every control character and line break, so no forged line and no escape sequence appear', () => {
    const lines = renderStatusTable(hostileStatus(FORGED_HOST));
    for (const line of lines) {
      expect(line).not.toMatch(RAW_CONTROL);
      expect(line).not.toContain('\n');
    }
    // Exactly one verdict line, the real one, and it is last.
    expect(lines.filter((line) => line.startsWith('Verdict:'))).toEqual(['Verdict: NO ACTIVE NAMENODE (exit 2)']);
    expect(lines.at(-1)).toBe('Verdict: NO ACTIVE NAMENODE (exit 2)');
    const lockLine = lines.find((line) => line.startsWith('Lock holder:'));
    expect(lockLine).toBe(
      'Lock holder:    nn1 (ns1, \\e[2J\\e[H\\nVerdict: OK: one active NameNode, ' +
        'every NameNode and zkfc answered (exit 0)\\r\\x9b31m:8020, zkfc port 8019)',
    );
    expect(lines.join('\n')).toContain('Connection refused\\e]0;pwned\\x07');
  });

  it('shows a 64 KiB hostname bounded, saying how much was cut', () => {
    const lines = renderStatusTable(hostileStatus('h'.repeat(64 * 1024)));
    const lockLine = lines.find((line) => line.startsWith('Lock holder:')) ?? '';
    expect(lockLine.length).toBeLessThan(400);
    expect(lockLine).toContain(`…[${64 * 1024 - 300} more chars]`);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(800);
  });
});

describe('terminalSafeIo', () => {
  it('makes control characters visible in out, err and the prompt, keeping line breaks and tabs', () => {
    const written: string[] = [];
    const raw: HaAdminIo = {
      out: (line) => written.push(`out:${line}`),
      err: (line) => written.push(`err:${line}`),
      errPartial: (text) => written.push(`partial:${text}`),
      readLine: () => Promise.resolve('y'),
    };
    const io = terminalSafeIo(raw);
    io.out('Operation failed: \u001b[2Jgone\u0007');
    io.err('line one\n\tline two\u001b[31m\u202eevil');
    io.errPartial('prompt\r\u009b');
    expect(written).toEqual([
      'out:Operation failed: \\e[2Jgone\\x07',
      'err:line one\n\tline two\\e[31m\\u202eevil',
      'partial:prompt\\r\\x9b',
    ]);
    for (const text of written) expect(text).not.toMatch(RAW_CONTROL);
  });
});

describe('--json output', () => {
  it(
    'escapes DEL, C1 controls and bidi overrides as \\u ' + 'sequences; the document parses back to the same value',
    async () => {
      const { printJson } = await import('../../../src/cli/haadmin/json-output.js');
      const value = { hostname: 'a\u001b[2Jb\u009b31m\u007f\u202e' };
      const out: string[] = [];
      printJson({ out: (line) => out.push(line) }, value);
      expect(out[0]).not.toMatch(RAW_CONTROL);
      expect(out[0]).not.toContain('\u202e');
      expect(JSON.parse(out[0] ?? '')).toEqual(value);
    },
  );
});
