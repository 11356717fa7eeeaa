// Goal: the HA topology derived from hdfs-site keys matches Hadoop's DFSUtil / HAUtil /
// NNHAServiceTarget: nameservice choice and its error messages, per-nn addresses with their
// default ports, lifeline and HTTP addresses, ZKFC port suffix resolution, the automatic-failover
// flag per ns, local NameNode detection, and the "conf for target NN" view used by shell fencing.
// Method: table tests on in-memory configurations; local detection uses an injected probe.
import { describe, expect, it } from 'vitest';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import {
  ZKFC_CONF_KEYS,
  confForNamenode,
  detectLocalNamenode,
  getNameserviceTopology,
  getNamenodeTarget,
  isAutomaticFailoverEnabled,
  isHAEnabled,
  parseHostPort,
  resolveNameserviceId,
  type LocalAddressProbe,
} from '../../../src/config/topology.js';
import { ConfigError } from '../../../src/errors.js';

const opts = { env: {}, systemProperties: {} };
const conf = (entries: Record<string, string>) => HadoopConfiguration.fromEntries(entries, opts);

const twoNn = {
  'dfs.nameservices': 'ns1',
  'dfs.ha.namenodes.ns1': 'nn1, nn2',
  'dfs.namenode.rpc-address.ns1.nn1': 'host1.example.com:8020',
  'dfs.namenode.rpc-address.ns1.nn2': 'host2.example.com',
  'dfs.namenode.http-address.ns1.nn1': 'host1.example.com:9871',
  'dfs.namenode.http-address.ns1.nn2': '0.0.0.0:9872',
};

describe('parseHostPort (NetUtils.createSocketAddr)', () => {
  it.each([
    ['host:1234', 8020, { host: 'host', port: 1234 }],
    ['host', 8020, { host: 'host', port: 8020 }],
    [' Host.Example.COM:9 ', 8020, { host: 'Host.Example.COM', port: 9 }],
    ['hdfs://nn.example.com:8021/some/path', 8020, { host: 'nn.example.com', port: 8021 }],
    ['hdfs://nn.example.com', 8020, { host: 'nn.example.com', port: 8020 }],
    ['[::1]:8020', undefined, { host: '::1', port: 8020 }],
    ['10.0.0.1:0', undefined, { host: '10.0.0.1', port: 0 }],
  ])('%s (default %s) -> %o', (text, defaultPort, expected) => {
    expect(parseHostPort(text, 'k', defaultPort)).toEqual(expected);
  });

  it.each([
    ['', 8020],
    ['host:', undefined],
    ['host', undefined],
    ['host:abc', 8020],
    ['host:70000', 8020],
    [':8020', 8020],
    ['::1:8020', 8020],
    ['[::1', 8020],
  ])('%s (default %s) is a ConfigError naming the key', (text, defaultPort) => {
    expect(() => parseHostPort(text, 'dfs.some.key', defaultPort)).toThrow(ConfigError);
    expect(() => parseHostPort(text, 'dfs.some.key', defaultPort)).toThrow(/dfs\.some\.key/);
  });
});

describe('nameservice resolution', () => {
  it.each([
    ['explicit -ns wins', { 'dfs.nameservices': 'ns1,ns2' }, 'ns9', 'ns9'],
    ['the only nameservice', { 'dfs.nameservices': ' ns1 ' }, undefined, 'ns1'],
  ])('%s', (_name, entries, explicit, expected) => {
    expect(resolveNameserviceId(conf(entries), explicit)).toBe(expected);
  });

  it("several nameservices without -ns: Hadoop's message listing them", () => {
    expect(() => resolveNameserviceId(conf({ 'dfs.nameservices': 'ns1,ns2' }))).toThrow(
      'Unable to determine the name service ID. This is an HA configuration with multiple name ' +
        'services configured. dfs.nameservices is set to [ns1, ns2]. Please re-run with the -ns option.',
    );
  });

  it('no nameservice at all', () => {
    expect(() => resolveNameserviceId(conf({}))).toThrow(/^Unable to determine the name service ID\.$/);
  });
});

describe('NameNode targets', () => {
  it('resolves rpc address (default port 8020), http (default 9870, wildcard replaced) and zkfc port 8019', () => {
    const c = conf(twoNn);
    expect(getNamenodeTarget(c, 'ns1', 'nn1')).toEqual({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      serviceAddress: { host: 'host1.example.com', port: 8020 },
      httpAddress: { host: 'host1.example.com', port: 9871 },
      zkfcPort: 8019,
    });
    expect(getNamenodeTarget(c, 'ns1', 'nn2')).toEqual({
      nameserviceId: 'ns1',
      namenodeId: 'nn2',
      serviceAddress: { host: 'host2.example.com', port: 8020 },
      httpAddress: { host: 'host2.example.com', port: 9872 },
      zkfcPort: 8019,
    });
  });

  it('servicerpc-address wins over rpc-address as the service address; lifeline is reported', () => {
    const c = conf({
      ...twoNn,
      'dfs.namenode.servicerpc-address.ns1.nn1': 'host1.example.com:8040',
      'dfs.namenode.lifeline.rpc-address.ns1.nn1': 'host1.example.com:8050',
    });
    const t = getNamenodeTarget(c, 'ns1', 'nn1');
    expect(t.serviceAddress).toEqual({ host: 'host1.example.com', port: 8040 });
    expect(t.lifelineAddress).toEqual({ host: 'host1.example.com', port: 8050 });
  });

  it.each([
    [
      'per nn',
      { 'dfs.ha.zkfc.port.ns1.nn1': '18019', 'dfs.ha.zkfc.port.ns1': '28019', 'dfs.ha.zkfc.port': '38019' },
      18019,
    ],
    ['per ns', { 'dfs.ha.zkfc.port.ns1': '28019', 'dfs.ha.zkfc.port': '38019' }, 28019],
    ['generic', { 'dfs.ha.zkfc.port': '38019' }, 38019],
    ['default', {}, 8019],
  ])('zkfc port %s', (_name, extra, port) => {
    expect(getNamenodeTarget(conf({ ...twoNn, ...extra }), 'ns1', 'nn1').zkfcPort).toBe(port);
  });

  it('the http address falls back to the ns-level and generic keys', () => {
    const c = conf(twoNn);
    c.unset('dfs.namenode.http-address.ns1.nn1');
    c.set('dfs.namenode.http-address', '0.0.0.0:50070');
    expect(getNamenodeTarget(c, 'ns1', 'nn1').httpAddress).toEqual({ host: 'host1.example.com', port: 50070 });
    c.set('dfs.namenode.http-address.ns1', 'web.example.com');
    expect(getNamenodeTarget(c, 'ns1', 'nn1').httpAddress).toEqual({ host: 'web.example.com', port: 9870 });
  });

  it("an unknown NameNode id gives Hadoop's message and names the rpc-address key", () => {
    let error: unknown;
    try {
      getNamenodeTarget(conf(twoNn), 'ns1', 'nn3');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe("Unable to determine service address for namenode 'nn3'");
    expect((error as ConfigError).key).toBe('dfs.namenode.rpc-address.ns1.nn3');
  });

  it.each([
    ['bad rpc port', { 'dfs.namenode.rpc-address.ns1.nn1': 'h:port' }, 'dfs.namenode.rpc-address.ns1.nn1'],
    [
      'lifeline without port',
      { 'dfs.namenode.lifeline.rpc-address.ns1.nn1': 'h' },
      'dfs.namenode.lifeline.rpc-address.ns1.nn1',
    ],
    ['bad zkfc port', { 'dfs.ha.zkfc.port.ns1': 'x' }, 'dfs.ha.zkfc.port.ns1'],
    ['zkfc port out of range', { 'dfs.ha.zkfc.port': '70000' }, 'dfs.ha.zkfc.port'],
  ])('%s is a ConfigError naming the key', (_name, extra, key) => {
    let error: unknown;
    try {
      getNamenodeTarget(conf({ ...twoNn, ...extra }), 'ns1', 'nn1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
  });

  it('topology lists every NameNode and the automatic-failover flag (per ns beats generic)', () => {
    const c = conf({
      ...twoNn,
      'dfs.ha.automatic-failover.enabled': 'false',
      'dfs.ha.automatic-failover.enabled.ns1': 'true',
    });
    const topology = getNameserviceTopology(c, 'ns1');
    expect(topology.namenodeIds).toEqual(['nn1', 'nn2']);
    expect(topology.namenodes.map((t) => t.namenodeId)).toEqual(['nn1', 'nn2']);
    expect(topology.automaticFailoverEnabled).toBe(true);
    expect(isAutomaticFailoverEnabled(c, 'ns2')).toBe(false);
    expect(isAutomaticFailoverEnabled(conf(twoNn), 'ns1')).toBe(false);
    // a per-nn suffix is not a thing for this key (NAMESERVICE_SPECIFIC_KEYS)
    expect(
      isAutomaticFailoverEnabled(conf({ ...twoNn, 'dfs.ha.automatic-failover.enabled.ns1.nn1': 'true' }), 'ns1'),
    ).toBe(false);
    expect(() => isAutomaticFailoverEnabled(conf({ 'dfs.ha.automatic-failover.enabled': 'ture' }), 'ns1')).toThrow(
      /dfs\.ha\.automatic-failover\.enabled/,
    );
  });

  it('a nameservice without dfs.ha.namenodes.<ns> is a ConfigError naming that key', () => {
    expect(() => getNameserviceTopology(conf(twoNn), 'ns2')).toThrow(/dfs\.ha\.namenodes\.ns2/);
  });

  it('HA is enabled only with more than one NameNode that has an rpc-address', () => {
    expect(isHAEnabled(conf(twoNn), 'ns1')).toBe(true);
    expect(isHAEnabled(conf({ ...twoNn, 'dfs.ha.namenodes.ns1': 'nn1' }), 'ns1')).toBe(false);
  });
});

describe('conf for target NN (NameNode.initializeGenericKeys)', () => {
  it('promotes per-nn and per-ns keys to the generic key and sets the ids and fs.defaultFS', () => {
    const c = conf({
      ...twoNn,
      'dfs.ha.fencing.methods': 'shell(/bin/true)',
      'dfs.ha.fencing.methods.ns1.nn2': 'sshfence',
      'dfs.ha.automatic-failover.enabled.ns1': 'true',
      'ha.zookeeper.quorum': 'zk-generic:2181',
      'ha.zookeeper.quorum.ns1': 'zk-ns1:2181',
    });
    const target = confForNamenode(c, 'ns1', 'nn2');
    expect(target.get('dfs.namenode.rpc-address')).toBe('host2.example.com');
    expect(target.get('dfs.namenode.http-address')).toBe('0.0.0.0:9872');
    expect(target.get('dfs.ha.fencing.methods')).toBe('sshfence');
    expect(target.get('dfs.ha.automatic-failover.enabled')).toBe('true');
    expect(target.get('dfs.nameservice.id')).toBe('ns1');
    expect(target.get('dfs.ha.namenode.id')).toBe('nn2');
    expect(target.get('fs.defaultFS')).toBe('hdfs://host2.example.com');
    // ZKFC keys only when asked for
    expect(target.get('ha.zookeeper.quorum')).toBe('zk-generic:2181');
    expect(confForNamenode(c, 'ns1', 'nn2', ZKFC_CONF_KEYS).get('ha.zookeeper.quorum')).toBe('zk-ns1:2181');
    // the original is untouched
    expect(c.get('dfs.namenode.rpc-address')).toBeUndefined();
    expect(c.get('dfs.ha.fencing.methods')).toBe('shell(/bin/true)');
  });
});

describe('local NameNode detection', () => {
  const probe = (local: string[], dns: Record<string, string[]>): LocalAddressProbe => ({
    localAddresses: () => local,
    resolve: async (host) => {
      const found = dns[host];
      if (!found) throw new Error(`ENOTFOUND ${host}`);
      return found;
    },
  });
  const dns = { 'host1.example.com': ['10.0.0.1'], 'host2.example.com': ['10.0.0.2'] };

  it.each([
    [
      'dfs.ha.namenode.id set',
      { 'dfs.ha.namenode.id': 'nn2' },
      ['10.0.0.1'],
      { nameserviceId: 'ns1', namenodeId: 'nn2', how: 'configured' },
    ],
    [
      'by interface address',
      {},
      ['10.0.0.2', '192.168.1.1'],
      { nameserviceId: 'ns1', namenodeId: 'nn2', how: 'address' },
    ],
    [
      'IPv4-mapped interface address',
      {},
      ['::ffff:10.0.0.1'],
      { nameserviceId: 'ns1', namenodeId: 'nn1', how: 'address' },
    ],
  ])('%s', async (_name, extra, local, expected) => {
    expect(await detectLocalNamenode(conf({ ...twoNn, ...extra }), probe(local, dns))).toEqual(expected);
  });

  it('picks the nameservice by address when several are configured', async () => {
    const c = conf({
      'dfs.nameservices': 'ns1,ns2',
      'dfs.ha.namenodes.ns1': 'a,b',
      'dfs.ha.namenodes.ns2': 'c,d',
      'dfs.namenode.rpc-address.ns1.a': 'host1.example.com:8020',
      'dfs.namenode.rpc-address.ns1.b': 'host2.example.com:8020',
      'dfs.namenode.rpc-address.ns2.c': '10.0.0.3:8020',
      'dfs.namenode.rpc-address.ns2.d': '10.0.0.4:8020',
    });
    expect(await detectLocalNamenode(c, probe(['10.0.0.4'], dns))).toEqual({
      nameserviceId: 'ns2',
      namenodeId: 'd',
      how: 'address',
    });
  });

  it('no local match: Hadoop\'s "Could not get the namenode ID" message', async () => {
    await expect(detectLocalNamenode(conf(twoNn), probe(['192.168.1.1'], dns))).rejects.toThrow(
      /Could not get the namenode ID of this node/,
    );
  });

  it('two loopback NameNodes both count as local (as in Hadoop): ambiguous without dfs.ha.namenode.id', async () => {
    const c = conf({
      ...twoNn,
      'dfs.namenode.rpc-address.ns1.nn1': '127.0.0.1:8020',
      'dfs.namenode.rpc-address.ns1.nn2': '127.0.0.1:8021',
    });
    await expect(detectLocalNamenode(c, probe([], {}))).rejects.toThrow(
      /multiple addresses that match local node's address/,
    );
    c.set('dfs.ha.namenode.id', 'nn1');
    expect(await detectLocalNamenode(c, probe([], {}))).toEqual({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      how: 'configured',
    });
  });

  it('unresolvable hosts never match', async () => {
    const c = conf({ ...twoNn, 'dfs.namenode.rpc-address.ns1.nn1': 'nowhere.invalid:8020' });
    expect(await detectLocalNamenode(c, probe(['10.0.0.2'], dns))).toEqual({
      nameserviceId: 'ns1',
      namenodeId: 'nn2',
      how: 'address',
    });
  });

  it('the real system probe finds a loopback-configured NameNode', async () => {
    const c = conf({ ...twoNn, 'dfs.namenode.rpc-address.ns1.nn1': 'localhost:8020' });
    expect(await detectLocalNamenode(c)).toEqual({ nameserviceId: 'ns1', namenodeId: 'nn1', how: 'address' });
  });
});
