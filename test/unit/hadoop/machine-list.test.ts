// Goal: security.zkfc.protocol.hosts / .hosts.blocked follow Hadoop's MachineList and
// ServiceAuthorizationManager: IPs, IPv4 CIDR blocks (network and broadcast included), host names
// by the addresses they resolve to, "*" alone for all, an empty list for none, the default host keys
// when the protocol's are unset, the host checked only after the user passed the ACLs, and
// Hadoop's refusal text; a CIDR entry SubnetUtils refuses is an error naming the key.
// Method: the classes with an injected address lookup (no DNS).

import { describe, expect, it } from 'vitest';
import { MachineList, MachineListError, peerAddress } from '../../../src/hadoop/machine-list.js';
import { HostListError, ZkfcServiceAuthorization } from '../../../src/hadoop/service-authorization.js';
import type { ConnectionIdentity } from '../../../src/ipc/server-connection.js';

const lookup = async (host: string): Promise<readonly string[]> => {
  const table: Record<string, readonly string[]> = {
    'nn1.example.com': ['10.2.0.1', '2001:db8::1'],
    'nn2.example.com': ['10.2.0.2'],
  };
  const found = table[host];
  if (found === undefined) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  return found;
};

describe('MachineList', () => {
  it('matches IPs, CIDR blocks inclusively and resolved host names', async () => {
    const list = new MachineList('192.0.2.7, 10.1.0.0/30 ,nn1.example.com,unknown.example.com,::1', lookup);
    await list.resolveHostNames();
    expect(list.includes('192.0.2.7')).toBe(true);
    expect(['10.1.0.0', '10.1.0.3'].map((ip) => list.includes(ip))).toEqual([true, true]);
    expect(list.includes('10.1.0.4')).toBe(false);
    expect(list.includes('::ffff:10.1.0.1')).toBe(true);
    expect(list.includes('10.2.0.1')).toBe(true);
    expect(list.includes('2001:0db8:0:0:0:0:0:1')).toBe(true);
    expect(list.includes('0:0:0:0:0:0:0:1')).toBe(true);
    expect(list.includes('10.2.0.2')).toBe(false);
    expect(list.hostNames).toEqual(['nn1.example.com', 'unknown.example.com']);
  });

  it('is everyone for "*" alone, no one for an empty list, and "*" among others is a host name', () => {
    expect(new MachineList('*').includes('203.0.113.5')).toBe(true);
    expect(new MachineList(' ').includes('127.0.0.1')).toBe(false);
    expect(new MachineList('').includes('127.0.0.1')).toBe(false);
    expect(new MachineList('*,10.0.0.1', lookup).includes('203.0.113.5')).toBe(false);
  });

  it('refuses CIDR blocks SubnetUtils refuses, naming the entry', () => {
    expect(() => new MachineList('10.0.0.0/33')).toThrow('Invalid CIDR syntax : 10.0.0.0/33 (Value [33] not in');
    expect(() => new MachineList('10.0.0.300/8')).toThrow(MachineListError);
    expect(() => new MachineList('2001:db8::/32')).toThrow('Could not parse [2001:db8::/32]');
    expect(() => new MachineList('nn1.example.com/24')).toThrow(MachineListError);
  });

  it("shows a dual-stack listener's IPv4 peer as Java does", () => {
    expect(peerAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(peerAddress('127.0.0.1')).toBe('127.0.0.1');
  });
});

function identity(user: string, remoteAddress: string): ConnectionIdentity {
  return {
    user,
    shortUser: undefined,
    authMethod: 'SIMPLE',
    protocol: 'org.apache.hadoop.ha.ZKFCProtocol',
    remoteAddress,
  };
}

describe('ZkfcServiceAuthorization host lists', () => {
  const base = { acl: 'alice', blocked: null, defaultAcl: '*', defaultBlockedAcl: '' };
  const groups = { groupsOf: () => [] };

  it('checks the host after the user, with Hadoop refusal text', async () => {
    const authz = new ZkfcServiceAuthorization(
      { ...base, hosts: '10.1.0.0/24,nn2.example.com', blockedHosts: '10.1.0.9' },
      groups,
      lookup,
    );
    await authz.resolveHostNames();
    expect(() => authz.authorize(identity('alice', '10.1.0.5'))).not.toThrow();
    expect(() => authz.authorize(identity('alice', '10.2.0.2'))).not.toThrow();
    expect(() => authz.authorize(identity('alice', '10.1.0.9'))).toThrow(
      'Host 10.1.0.9 is not authorized for protocol interface org.apache.hadoop.ha.ZKFCProtocol',
    );
    expect(() => authz.authorize(identity('alice', '::ffff:192.0.2.1'))).toThrow(
      'Host 192.0.2.1 is not authorized for protocol interface org.apache.hadoop.ha.ZKFCProtocol',
    );
    // A user the ACL refuses hears about the ACL, whatever the host.
    expect(() => authz.authorize(identity('bob', '192.0.2.1'))).toThrow('User bob (auth:SIMPLE) is not authorized');
  });

  it('falls back to the default host keys, and names the key of a bad list', () => {
    const defaults = new ZkfcServiceAuthorization(
      { ...base, defaultHosts: '10.0.0.0/8', defaultBlockedHosts: '10.9.0.0/16' },
      groups,
    );
    expect(() => defaults.authorize(identity('alice', '10.1.0.1'))).not.toThrow();
    expect(() => defaults.authorize(identity('alice', '10.9.0.1'))).toThrow(/^Host 10\.9\.0\.1/);
    expect(() => defaults.authorize(identity('alice', '192.0.2.1'))).toThrow(/^Host 192\.0\.2\.1/);
    // Unset everywhere: every host ("*"), none blocked.
    const open = new ZkfcServiceAuthorization(base, groups);
    expect(() => open.authorize(identity('alice', '203.0.113.9'))).not.toThrow();
    let error: unknown;
    try {
      new ZkfcServiceAuthorization({ ...base, blockedHosts: '10.0.0.0/40' }, groups);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostListError);
    expect((error as HostListError).key).toBe('security.zkfc.protocol.hosts.blocked');
    expect((error as HostListError).message).toContain('security.zkfc.protocol.hosts.blocked: Invalid CIDR syntax');
    expect(() => new ZkfcServiceAuthorization({ ...base, defaultHosts: '1.2.3.4/x' }, groups)).toThrow(
      'security.service.authorization.default.hosts: Invalid CIDR syntax : 1.2.3.4/x',
    );
  });
});
