// Goal: hadoop.security.auth_to_local maps principals as Hadoop's KerberosName does: the examples of
// Hadoop's TestKerberosName (rules, anti-patterns under the hadoop and mit mechanisms, /L), the
// parser's refusals and the texts of its failures; the default realm read from krb5.conf.

import { describe, expect, it } from 'vitest';
import {
  AuthToLocal,
  AuthToLocalSyntaxError,
  KerberosNameError,
  parseRuleMechanism,
} from '../../../src/kerberos/kerberos-name.js';
import { parseDefaultRealm } from '../../../src/kerberos/krb5-conf.js';

const REALM = 'EXAMPLE.COM';
// TestKerberosName.setUp's rules.
const RULES = [
  'RULE:[1:$1@$0](.*@YAHOO\\.COM)s/@.*//',
  'RULE:[2:$1](johndoe)s/^.*$/guest/',
  'RULE:[2:$1;$2](^.*;admin$)s/;admin$//',
  'RULE:[2:$2](root)',
  'DEFAULT',
].join('\n');

describe('AuthToLocal (KerberosName)', () => {
  it("translates TestKerberosName.testRules' principals", () => {
    const names = new AuthToLocal(RULES, REALM);
    expect(names.shortName(`omalley@${REALM}`)).toBe('omalley');
    expect(names.shortName(`hdfs/10.0.0.1@${REALM}`)).toBe('hdfs');
    expect(names.shortName('oom@YAHOO.COM')).toBe('oom');
    expect(names.shortName('johndoe/zoo@FOO.COM')).toBe('guest');
    expect(names.shortName('joe/admin@FOO.COM')).toBe('joe');
    expect(names.shortName('joe/root@FOO.COM')).toBe('root');
  });

  it('refuses the anti-patterns under hadoop and keeps them as they are under mit', () => {
    const hadoop = new AuthToLocal(RULES, REALM, 'hadoop');
    expect(() => hadoop.shortName('owen/owen/owen@FOO.COM')).toThrow('Malformed Kerberos name: owen/owen/owen@FOO.COM');
    expect(() => hadoop.shortName('owen@foo/bar.com')).toThrow('Malformed Kerberos name: owen@foo/bar.com');
    expect(() => hadoop.shortName('foo@ACME.COM')).toThrow(KerberosNameError);
    expect(() => hadoop.shortName('foo@ACME.COM')).toThrow('No rules applied to foo@ACME.COM');
    expect(() => hadoop.shortName('root/joe@FOO.COM')).toThrow('No rules applied to root/joe@FOO.COM');
    const mit = new AuthToLocal(RULES, REALM, 'mit');
    expect(mit.shortName('foo@ACME.COM')).toBe('foo@ACME.COM');
    expect(mit.shortName('root/joe@FOO.COM')).toBe('root/joe@FOO.COM');
  });

  it('lower-cases with /L (TestKerberosName.testToLowerCase)', () => {
    const names = new AuthToLocal(
      [
        'RULE:[1:$1]/L',
        'RULE:[2:$1]/L',
        'RULE:[2:$1;$2](^.*;admin$)s/;admin$///L',
        'RULE:[2:$1;$2](^.*;guest$)s/;guest$//g/L',
        'DEFAULT',
      ].join('\n'),
      REALM,
    );
    expect(names.shortName(`Joe@${REALM}`)).toBe('joe');
    expect(names.shortName(`Joe/root@${REALM}`)).toBe('joe');
    expect(names.shortName(`Joe/admin@${REALM}`)).toBe('joe');
    expect(names.shortName(`Joe/guestguest@${REALM}`)).toBe('joe');
    expect(names.describe()).toBe(
      'RULE:[1:$1]/L\nRULE:[2:$1]/L\nRULE:[2:$1;$2](^.*;admin$)s/;admin$///L\n' +
        'RULE:[2:$1;$2](^.*;guest$)s/;guest$//g/L\nDEFAULT',
    );
  });

  it('keeps simple names, substitutes once or with g, and refuses a non-simple result under hadoop', () => {
    const names = new AuthToLocal('RULE:[1:$1](a.*)s/a/x/ RULE:[2:$1_$2](b.*)s/b/y/g RULE:[2:$1/$2]', REALM);
    expect(names.shortName('simple')).toBe('simple');
    expect(names.shortName('aaa@R')).toBe('xaa');
    expect(names.shortName('bob/bb@R')).toBe('yoy_yy');
    expect(() => names.shortName('carl/h@R')).toThrow('Non-simple name carl/h after auth_to_local rule RULE:[2:$1/$2]');
    expect(new AuthToLocal('RULE:[2:$1/$2]', REALM, 'mit').shortName('carl/h@R')).toBe('carl/h');
  });

  it('applies DEFAULT to the default realm only, and does not lower-case DEFAULT/L', () => {
    const names = new AuthToLocal('DEFAULT/L', REALM);
    expect(names.shortName(`Nn/host@${REALM}`)).toBe('Nn');
    expect(() => names.shortName('nn/host@OTHER.REALM')).toThrow('No rules applied to nn/host@OTHER.REALM');
  });

  it('reports a bad $n when the rule is applied, as BadFormatString', () => {
    const names = new AuthToLocal('RULE:[1:$3]', REALM);
    let error: unknown;
    try {
      names.shortName('a@R');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KerberosNameError);
    expect((error as KerberosNameError).javaText()).toBe(
      'org.apache.hadoop.security.authentication.util.KerberosName$BadFormatString: ' +
        'index 3 from $3 is outside of the valid range 0 to 1',
    );
  });

  it('refuses rules that do not parse, naming the rest of the text, and bad mechanisms', () => {
    expect(() => new AuthToLocal('RULE:[1:$1] NONSENSE', REALM)).toThrow(AuthToLocalSyntaxError);
    expect(() => new AuthToLocal('RULE:[1:$1] NONSENSE', REALM)).toThrow('Invalid rule: NONSENSE');
    expect(() => new AuthToLocal('RULE:[:$1]', REALM)).toThrow('Invalid rule: RULE:[:$1]');
    expect(() => new AuthToLocal('RULE:1:$1', REALM)).toThrow('Invalid rule: RULE:1:$1');
    expect(() => new AuthToLocal('RULE:[1:$1](a(b)', REALM)).toThrow(/Invalid regular expression/);
    expect(parseRuleMechanism('MIT')).toBe('mit');
    expect(() => parseRuleMechanism('INVALID_MECHANISM')).toThrow('Invalid rule mechanism: INVALID_MECHANISM');
  });
});

describe('krb5.conf default realm (DEFAULT rule)', () => {
  it('reads default_realm of [libdefaults] only', () => {
    const text = [
      '# comment',
      '[realms]',
      '  default_realm = WRONG',
      '[libdefaults]',
      '  dns_lookup_realm = false',
      '  default_realm = EXAMPLE.COM',
      '',
    ].join('\n');
    expect(parseDefaultRealm(text)).toBe('EXAMPLE.COM');
    expect(parseDefaultRealm('[libdefaults]\n forwardable = true\n')).toBeUndefined();
  });
});
