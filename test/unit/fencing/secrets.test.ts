// Goal: the secrets a shell() fencing command can see are known, so its output can be logged
// without them: sensitive settings, Hadoop's sensitive-key patterns (and the site's own), the
// parts of ZooKeeper credentials, an @file credential's content, and sensitive variables of the
// base environment; nothing else is hidden.
// Method: knownSecrets on configuration maps and environments; SecretRedactor on lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../src/config/schema.js';
import { knownSecrets, OWN_SENSITIVE_KEYS, REDACTED, SecretRedactor } from '../../../src/fencing/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'zkfc-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('knownSecrets', () => {
  it(
    'knows every setting the settings table marks sensitive (fencing ' +
      'keeps its own list: it may not import the config adapter)',
    () => {
      expect([...OWN_SENSITIVE_KEYS].sort()).toEqual(
        SETTINGS.filter((setting) => setting.sensitive === true)
          .map((setting) => setting.key)
          .sort(),
      );
    },
  );

  it('finds ha.zookeeper.auth with each credential and its parts, keystore passwords and Hadoop-sensitive keys', () => {
    const secrets = knownSecrets(
      new Map([
        ['ha.zookeeper.auth', 'digest:hdfs:pw-one,sasl:other-two'],
        ['ssl.server.keystore.password', 'ks-pass'],
        ['ssl.client.truststore.password', 'ts-pass'],
        ['fs.s3a.secret.key', 'aws-secret'],
        ['ha.zookeeper.quorum', 'zk1:2181'],
        ['dfs.ha.fencing.methods', 'shell(true)'],
      ]),
    );
    expect(new Set(secrets)).toEqual(
      new Set([
        'digest:hdfs:pw-one,sasl:other-two',
        'digest:hdfs:pw-one',
        'hdfs:pw-one',
        'pw-one',
        'sasl:other-two',
        'other-two',
        'ks-pass',
        'ts-pass',
        'aws-secret',
      ]),
    );
  });

  it('reads the content of an @file credential, per-namenode suffixed keys and the site patterns', () => {
    const file = join(dir, 'zk-auth');
    writeFileSync(file, 'digest:hdfs:from-file\n');
    const secrets = knownSecrets(
      new Map([
        ['ha.zookeeper.auth.ns1.nn1', `@${file}`],
        ['hadoop.security.sensitive-config-keys', 'my\\.site\\.token$, ldap.bind'],
        ['my.site.token', 'tok-1'],
        ['hadoop.security.group.mapping.ldap.bind.user', 'cn=x'],
      ]),
    );
    expect(secrets).toEqual(
      expect.arrayContaining([`@${file}`, 'digest:hdfs:from-file', 'hdfs:from-file', 'from-file', 'tok-1', 'cn=x']),
    );
  });

  it('finds sensitive variables of the base environment (ZKFC_ env names of sensitive settings, *_PASSWORD)', () => {
    const secrets = knownSecrets(new Map(), {
      ZKFC_HA_ZOOKEEPER_AUTH: 'digest:u:env-pw',
      DB_PASSWORD: 'db-pw',
      PATH: '/usr/bin',
      HOME: '/home/hdfs',
    });
    expect(secrets).toEqual(expect.arrayContaining(['digest:u:env-pw', 'env-pw', 'db-pw']));
    expect(secrets).not.toContain('/usr/bin');
    expect(secrets).not.toContain('/home/hdfs');
  });

  it('skips values too short to hide without mangling every line', () => {
    expect(
      knownSecrets(
        new Map([
          ['a.password', 'x'],
          ['b.password', 'ab'],
          ['c.password', 'abc'],
        ]),
      ),
    ).toEqual(['abc']);
  });
});

describe('SecretRedactor', () => {
  it('replaces every occurrence, longest secret first, and leaves other text alone', () => {
    const redactor = new SecretRedactor(['pw-one', 'hdfs:pw-one', 'digest:hdfs:pw-one']);
    expect(redactor.redact('ha_zookeeper_auth=digest:hdfs:pw-one; again pw-one; user hdfs')).toBe(
      `ha_zookeeper_auth=${REDACTED}; again ${REDACTED}; user hdfs`,
    );
  });
});
