// Goal: `dfs.ha.fencing.methods` parses exactly as Hadoop's NodeFencer does (docs/hadoop-compat.md §8.1), including
// every error, and the argument checks of sshfence (SshFenceByTcpPort.Args) and shell
// (ShellCommandFencer.checkArgs / parseArgs, 3.3+ comma rule). Method: table tests over the pure
// parser; each row states the input and the exact result or the error reason and message.
import { describe, expect, it } from 'vitest';
import {
  javaSplit,
  javaTrim,
  parseFenceMethods,
  resolveShellCommandForZkfc,
  stripHashComment,
  type FenceMethodSpec,
  type ShellFenceMethodSpec,
} from '../../../src/core/fencing/fence-spec.js';

function methodsOf(value: string): readonly FenceMethodSpec[] {
  const result = parseFenceMethods(value);
  if (!result.ok) throw new Error(`expected success, got: ${result.error.message}`);
  return result.methods;
}

function errorOf(value: string) {
  const result = parseFenceMethods(value);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.methods)}`);
  return result.error;
}

const ssh = (text: string, user: string | undefined, sshPort: number, lineNumber = 1) => ({
  kind: 'sshfence',
  text,
  lineNumber,
  user,
  sshPort,
});
const shell = (text: string, command: string, commandParts: string[], lineNumber = 1) => ({
  kind: 'shell',
  text,
  lineNumber,
  command,
  commandParts,
});

describe('parseFenceMethods: accepted values', () => {
  it.each<[string, string, unknown[]]>([
    ['bare sshfence: all defaults', 'sshfence', [ssh('sshfence', undefined, 22)]],
    ['sshfence(user)', 'sshfence(hdfs)', [ssh('sshfence(hdfs)', 'hdfs', 22)]],
    ['sshfence(user:port)', 'sshfence(hdfs:2222)', [ssh('sshfence(hdfs:2222)', 'hdfs', 2222)]],
    ['sshfence(:port)', 'sshfence(:2222)', [ssh('sshfence(:2222)', undefined, 2222)]],
    ['sshfence port with leading zeros', 'sshfence(hdfs:0022)', [ssh('sshfence(hdfs:0022)', 'hdfs', 22)]],
    [
      'sshfence user with a space (Hadoop accepts any non-colon text)',
      'sshfence(a b)',
      [ssh('sshfence(a b)', 'a b', 22)],
    ],
    ['sshfence port 65535', 'sshfence(u:65535)', [ssh('sshfence(u:65535)', 'u', 65535)]],
    ['shell with arguments', 'shell(/bin/true)', [shell('shell(/bin/true)', '/bin/true', ['/bin/true'])]],
    [
      'shell argument runs to the final ")": nested parentheses',
      'shell(echo $(hostname) (x))',
      [shell('shell(echo $(hostname) (x))', 'echo $(hostname) (x)', ['echo $(hostname) (x)'])],
    ],
    ['shell argument ")" alone (regex parity)', 'shell())', [shell('shell())', ')', [')'])]],
    ['whitespace-only shell argument is non-empty for Hadoop', 'shell( )', [shell('shell( )', ' ', [' '])]],
    ['shell with one trailing comma: Java split drops the empty tail', 'shell(a,)', [shell('shell(a,)', 'a,', ['a'])]],
    [
      'shell with two commands (split kept for the fence-time rule)',
      'shell(a,b)',
      [shell('shell(a,b)', 'a,b', ['a', 'b'])],
    ],
    ['shell that is only a comma: zero parts', 'shell(,)', [shell('shell(,)', ',', [])]],
    [
      'long class name of the built-in sshfence',
      'org.apache.hadoop.ha.SshFenceByTcpPort(u:1)',
      [ssh('org.apache.hadoop.ha.SshFenceByTcpPort(u:1)', 'u', 1)],
    ],
    [
      'long class name of the built-in shell',
      'org.apache.hadoop.ha.ShellCommandFencer(x)',
      [shell('org.apache.hadoop.ha.ShellCommandFencer(x)', 'x', ['x'])],
    ],
    [
      'several lines in order',
      'sshfence(hdfs)\nshell(/bin/true)',
      [ssh('sshfence(hdfs)', 'hdfs', 22, 1), shell('shell(/bin/true)', '/bin/true', ['/bin/true'], 2)],
    ],
    [
      'surrounding whitespace and blank lines; line numbers count real lines',
      '\n  sshfence  \n\n\t\n  shell(x)  \n\n',
      [ssh('sshfence', undefined, 22, 2), shell('shell(x)', 'x', ['x'], 5)],
    ],
    [
      'CRLF line ends',
      'sshfence\r\nshell(x)\r\n',
      [ssh('sshfence', undefined, 22, 1), shell('shell(x)', 'x', ['x'], 2)],
    ],
    [
      'comment lines and trailing comments',
      '# primary\nsshfence(hdfs) # kill by port\n   # last resort\nshell(/bin/true)#ok',
      [ssh('sshfence(hdfs)', 'hdfs', 22, 2), shell('shell(/bin/true)', '/bin/true', ['/bin/true'], 4)],
    ],
    [
      'a comment after a complete method hides the rest of the line',
      'shell(x) # shell(y)',
      [shell('shell(x)', 'x', ['x'])],
    ],
  ])('%s', (_name, value, expected) => {
    expect(methodsOf(value)).toEqual(expected);
  });

  it('sshfence user defaults to undefined (the process user is applied at fence time)', () => {
    expect(methodsOf('sshfence(:22)')[0]).toMatchObject({ user: undefined, sshPort: 22 });
  });
});

describe('parseFenceMethods: errors quote the line and name the reason', () => {
  it.each<[string, string, string, string | RegExp]>([
    ['empty parentheses', 'sshfence()', 'syntax', "Unable to parse line: 'sshfence()'"],
    ['empty shell parentheses', 'shell()', 'syntax', "Unable to parse line: 'shell()'"],
    ['text after the closing parenthesis', 'shell(a) b', 'syntax', "Unable to parse line: 'shell(a) b'"],
    ['unclosed parenthesis', 'shell(a', 'syntax', "Unable to parse line: 'shell(a'"],
    ['a # cuts the argument short', 'shell(echo a # b)', 'syntax', "Unable to parse line: 'shell(echo a'"],
    ['space between name and argument', 'shell (a)', 'syntax', "Unable to parse line: 'shell (a)'"],
    ['illegal character in the name', 'ssh-fence', 'syntax', "Unable to parse line: 'ssh-fence'"],
    ['two methods on one line', 'sshfence shell(x)', 'syntax', "Unable to parse line: 'sshfence shell(x)'"],
    [
      'Java line terminator inside the argument',
      'shell(a\u2028b)',
      'syntax',
      "Unable to parse line: 'shell(a\u2028b)'",
    ],
    ['bad line after good ones names that line', 'shell(x)\n\nbad line', 'syntax', "Unable to parse line: 'bad line'"],
    ['shell without argument', 'shell', 'argument', "No argument passed to 'shell' fencing method (in line 'shell')"],
    [
      'more than two shell commands',
      'shell(a,b,c)',
      'argument',
      "Expecting arguments size of at most two, getting [a, b, c] (in line 'shell(a,b,c)')",
    ],
    [
      'sshfence user followed by a bare colon',
      'sshfence(hdfs:)',
      'argument',
      "Unable to parse user and SSH port: hdfs: (in line 'sshfence(hdfs:)')",
    ],
    ['sshfence non-numeric port', 'sshfence(hdfs:ssh)', 'argument', 'Unable to parse user and SSH port: hdfs:ssh'],
    ['sshfence two colons', 'sshfence(a:22:33)', 'argument', 'Unable to parse user and SSH port: a:22:33'],
    ['sshfence signed port', 'sshfence(a:+22)', 'argument', 'Unable to parse user and SSH port: a:+22'],
    ['sshfence port beyond Java int', 'sshfence(hdfs:99999999999)', 'argument', "Port number '99999999999' invalid"],
    ['sshfence port beyond 65535', 'sshfence(hdfs:65536)', 'argument', "Port number '65536' invalid"],
    ['sshfence port 0', 'sshfence(hdfs:0)', 'argument', "Port number '0' invalid"],
    ['powershell', 'powershell', 'unsupported', 'cannot run powershell in zkfc'],
    ['powershell with argument', 'powershell(Stop-Service x)', 'unsupported', "(in line 'powershell(Stop-Service x)')"],
    [
      'PowerShellFencer by class name',
      'org.apache.hadoop.ha.PowerShellFencer(x)',
      'unsupported',
      'cannot run powershell in zkfc',
    ],
    [
      'Java class name',
      'com.example.MyFencer(arg)',
      'unsupported',
      'cannot run Java FenceMethod class com.example.MyFencer in zkfc',
    ],
    [
      'Java inner class name',
      'com.example.Outer$Fencer',
      'unsupported',
      'Could not find configured fencing method com.example.Outer$Fencer',
    ],
    [
      'names are case-sensitive (Shell is a class name)',
      'Shell(x)',
      'unsupported',
      'cannot run Java FenceMethod class Shell in zkfc',
    ],
    ['empty value', '', 'value', 'contains no fencing method'],
    ['only comments and blanks', '  # nothing\n\n#x\n', 'value', 'contains no fencing method'],
  ])('%s', (_name, value, reason, message) => {
    const error = errorOf(value);
    expect(error.reason).toBe(reason);
    if (typeof message === 'string') expect(error.message).toContain(message);
    else expect(error.message).toMatch(message);
  });

  it('reports the 1-based line number and the offending line', () => {
    const error = errorOf('sshfence\n# comment\n\n  shell()  ');
    expect(error).toMatchObject({ reason: 'syntax', line: 'shell()', lineNumber: 4 });
  });

  it('bounds the value size and the method count', () => {
    expect(errorOf('shell(x)\n'.repeat(65)).message).toContain('more than 64');
    expect(methodsOf('shell(x)\n'.repeat(64))).toHaveLength(64);
    expect(errorOf('#'.repeat(70_000)).message).toContain('at most 65536');
  });
});

describe('resolveShellCommandForZkfc (Hadoop 3.3+ comma rule on the ZKFC path)', () => {
  const shellSpec = (value: string) => methodsOf(value)[0] as ShellFenceMethodSpec;
  it.each<[string, { ok: true; command: string } | { ok: false; message: string }]>([
    ['shell(/bin/true)', { ok: true, command: '/bin/true' }],
    ['shell(a,)', { ok: true, command: 'a' }],
    ['shell(a,b)', { ok: false, message: 'Unexpected HA service state:null' }],
    ['shell(,b)', { ok: false, message: 'Unexpected HA service state:null' }],
    ['shell(,)', { ok: false, message: 'Unexpected HA service state:null' }],
  ])('%s', (value, expected) => {
    expect(resolveShellCommandForZkfc(shellSpec(value))).toEqual(expected);
  });
});

describe('Java string helpers', () => {
  it.each<[string, string[]]>([
    ['', ['']],
    ['a', ['a']],
    [',', []],
    ['a,b', ['a', 'b']],
    ['a,,', ['a']],
    [',a', ['', 'a']],
    ['a, ', ['a', ' ']],
  ])('javaSplit(%j, ",")', (input, expected) => {
    expect(javaSplit(input, ',')).toEqual(expected);
  });

  it('javaTrim strips control characters, not Unicode spaces', () => {
    expect(javaTrim('\u0000\t x \u000b\u001f')).toBe('x');
    expect(javaTrim('\u00a0x\u00a0')).toBe('\u00a0x\u00a0');
  });

  it.each<[string, string]>([
    ['a # b', 'a '],
    ['a#b#c', 'a'],
    ['a # b\r', 'a \r'],
    ['no comment', 'no comment'],
    // Java's `.*$` cannot cross an inner line terminator, so this # is not a comment.
    ['a#b\u2028c', 'a#b\u2028c'],
  ])('stripHashComment(%j)', (input, expected) => {
    expect(stripHashComment(input)).toBe(expected);
  });
});
