// Goal: our hadoop.security.auth_to_local (src/kerberos/kerberos-name.ts) maps principals exactly as
// Hadoop 3.4.2's KerberosName does, for rules with formats, match patterns, single and global
// substitutions, /L, DEFAULT and principals no rule applies to, under both mechanisms (hadoop, mit).
// Method: Hadoop's own HadoopKerberosName main (the class behind `hadoop kerbname`) on a
// configuration directory holding the rules, default realm EXAMPLE.COM; one JVM maps principals
// until the first that fails, the next JVM continues after it.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthToLocal, KerberosNameError, type RuleMechanism } from '../../src/kerberos/kerberos-name.js';
import { ensureHadoop, runProcess, SMALL_JVM_FLAGS, xml } from '../../tools/testing/hadoop/real-cluster.js';

const REALM = 'EXAMPLE.COM';
const RULES = [
  'RULE:[1:$1@$0](.*@YAHOO\\.COM)s/@.*//',
  'RULE:[2:$1](johndoe)s/^.*$/guest/',
  'RULE:[2:$1;$2](^.*;admin$)s/;admin$//',
  'RULE:[2:$2](root)',
  'RULE:[2:$1](Up.*)s/p/Q/g/L',
  'RULE:[2:$1_$2@$0](svc_.*@CORP\\.LAN)s/_.*//',
  'RULE:[1:$1]/L',
  'RULE:[2:$2/$1](web/.*)',
  'DEFAULT',
].join('\n');
const PRINCIPALS = [
  `omalley@${REALM}`,
  `hdfs/10.0.0.1@${REALM}`,
  'oom@YAHOO.COM',
  'johndoe/zoo@FOO.COM',
  'joe/admin@FOO.COM',
  'joe/root@FOO.COM',
  'Uppity/x@R',
  'svc/h1@CORP.LAN',
  'MixedCase@OTHER.REALM',
  'http/web@OTHER.REALM',
  'nn/host@OTHER.REALM',
  `nn/host@${REALM}`,
  'owen/owen/owen@FOO.COM',
  'plainuser',
];

let hadoopDir: string;
let baseDir: string;

beforeAll(() => {
  hadoopDir = ensureHadoop(process.env['HADOOP_VERSION'] ?? '3.4.2');
  baseDir = mkdtempSync(join(tmpdir(), 'zkfc-auth-to-local-'));
}, 600_000);

afterAll(() => {
  if (baseDir !== undefined) rmSync(baseDir, { recursive: true, force: true });
});

/** Hadoop's answer for each principal: the short name, or the exception's first line. */
async function hadoopShortNames(mechanism: RuleMechanism, principals: readonly string[]): Promise<string[]> {
  const confDir = join(baseDir, mechanism);
  mkdirSync(confDir, { recursive: true });
  writeFileSync(
    join(confDir, 'core-site.xml'),
    xml({ 'hadoop.security.auth_to_local': RULES, 'hadoop.security.auth_to_local.mechanism': mechanism }),
  );
  writeFileSync(join(confDir, 'log4j.properties'), 'log4j.rootLogger=ERROR\n');
  const answers: string[] = [];
  while (answers.length < principals.length) {
    const rest = principals.slice(answers.length);
    const result = await runProcess(
      'java',
      [
        '-Xmx64m',
        ...SMALL_JVM_FLAGS,
        `-Djava.security.krb5.realm=${REALM}`,
        '-Djava.security.krb5.kdc=localhost',
        '-cp',
        `${confDir}:${join(hadoopDir, 'lib/*')}`,
        'org.apache.hadoop.security.HadoopKerberosName',
        ...rest,
      ],
      60_000,
    );
    const mapped = [...result.stdout.matchAll(/^Name: (.*) to (.*)$/gm)].map((m) => m[2]!);
    answers.push(...mapped);
    if (answers.length < principals.length) {
      const failure = /^Exception in thread "main" (.*)$/m.exec(result.stderr);
      expect(failure, `HadoopKerberosName stopped without an exception:\n${result.stderr}`).not.toBeNull();
      answers.push(failure![1]!);
    }
  }
  return answers;
}

/** Ours, in the same form. */
function ourShortNames(mechanism: RuleMechanism, principals: readonly string[]): string[] {
  const names = new AuthToLocal(RULES, REALM, mechanism);
  return principals.map((principal) => {
    try {
      return names.shortName(principal);
    } catch (error) {
      if (error instanceof KerberosNameError) return error.javaText();
      return `java.lang.IllegalArgumentException: ${(error as Error).message}`;
    }
  });
}

describe("hadoop.security.auth_to_local against Hadoop's KerberosName", () => {
  it.each(['hadoop', 'mit'] as const)(
    'maps every principal as Hadoop does, mechanism %s',
    async (mechanism) => {
      const hadoop = await hadoopShortNames(mechanism, PRINCIPALS);
      expect(ourShortNames(mechanism, PRINCIPALS)).toEqual(hadoop);
      // The cases differ: some names are refused under hadoop only.
      if (mechanism === 'hadoop') expect(hadoop.some((a) => a.includes('NoMatchingRule'))).toBe(true);
    },
    120_000,
  );
});
