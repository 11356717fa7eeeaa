// Goal: the IPC server's admission rules: the allow-list matches addresses and CIDR blocks (IPv4,
// IPv6, IPv4-mapped IPv6) and refuses bad entries by name; the caps in all and per address make
// room by closing the oldest idle connection (of the same address first) and refuse only when
// every connection under the cap is busy.
// Method: the sans-IO classes directly, connections as plain objects.
import { describe, expect, it } from 'vitest';
import { AddressAllowList, BadAddressListError, ConnectionAdmission } from '../../../src/ipc/admission.js';

describe('AddressAllowList', () => {
  it('matches single addresses and CIDR blocks, IPv4 also when the socket reports it IPv4-mapped', () => {
    const list = AddressAllowList.parse('10.1.0.0/16, 192.0.2.7 ::1,fd00::/8');
    expect(list.allows('10.1.200.3')).toBe(true);
    expect(list.allows('::ffff:10.1.0.1')).toBe(true);
    expect(list.allows('10.2.0.1')).toBe(false);
    expect(list.allows('192.0.2.7')).toBe(true);
    expect(list.allows('192.0.2.8')).toBe(false);
    expect(list.allows('::1')).toBe(true);
    expect(list.allows('fd12:3456::1')).toBe(true);
    expect(list.allows('fe80::1')).toBe(false);
    expect(list.allows('not-an-address')).toBe(false);
  });

  it('an empty list allows nobody; /0 allows everyone of that family', () => {
    expect(AddressAllowList.parse('').allows('127.0.0.1')).toBe(false);
    const all4 = AddressAllowList.parse('0.0.0.0/0');
    expect(all4.allows('203.0.113.9')).toBe(true);
    expect(all4.allows('::1')).toBe(false);
  });

  it.each(['nn1.example.com', '10.0.0.0/33', '::1/129', '10.0.0.1/x', '300.1.1.1'])(
    'refuses %s with an error naming it',
    (entry) => {
      expect(() => AddressAllowList.parse(`127.0.0.1,${entry}`)).toThrow(BadAddressListError);
      expect(() => AddressAllowList.parse(entry)).toThrow(entry);
    },
  );
});

interface Conn {
  readonly name: string;
  busy: boolean;
}

function admission(maxConnections: number, maxConnectionsPerAddress: number, allow?: string) {
  return new ConnectionAdmission<Conn>(
    { maxConnections, maxConnectionsPerAddress },
    (c) => c.busy,
    allow === undefined ? undefined : AddressAllowList.parse(allow),
  );
}

function open(
  a: ConnectionAdmission<Conn>,
  name: string,
  address: string,
  busy = false,
): { conn: Conn; evicted: string[] } | string {
  const decision = a.decide(address);
  if (!decision.admit) return decision.reason;
  const conn = { name, busy };
  a.add(conn, address);
  return { conn, evicted: decision.evict.map((c) => c.name) };
}

describe('ConnectionAdmission', () => {
  it(
    'at the per-address cap replaces the oldest idle ' + 'connection of that address, leaving other addresses alone',
    () => {
      const a = admission(10, 2);
      open(a, 'x1', '10.0.0.9');
      open(a, 'a1', '10.0.0.1');
      open(a, 'a2', '10.0.0.1');
      expect(open(a, 'a3', '10.0.0.1')).toMatchObject({ evicted: ['a1'] });
      expect(a.connections().map((c) => c.name)).toEqual(['x1', 'a2', 'a3']);
      expect(a.countFrom('10.0.0.1')).toBe(2);
    },
  );

  it('at the total cap replaces the oldest idle connection of any address; busy ones are never closed', () => {
    const a = admission(3, 3);
    open(a, 'b1', '10.0.0.1', true);
    open(a, 'i1', '10.0.0.2');
    open(a, 'i2', '10.0.0.3');
    expect(open(a, 'n1', '10.0.0.4')).toMatchObject({ evicted: ['i1'] });
    expect(a.connections().map((c) => c.name)).toEqual(['b1', 'i2', 'n1']);
  });

  it('refuses only when every connection under the cap is busy', () => {
    const a = admission(2, 2);
    const first = open(a, 'b1', '10.0.0.1', true);
    open(a, 'b2', '10.0.0.2', true);
    expect(open(a, 'n1', '10.0.0.3')).toBe('total-cap');
    const perAddress = admission(5, 1);
    open(perAddress, 'b1', '10.0.0.1', true);
    expect(open(perAddress, 'n1', '10.0.0.1')).toBe('per-address-cap');
    // A busy connection that becomes idle can be replaced again.
    if (typeof first !== 'string') first.conn.busy = false;
    expect(open(a, 'n2', '10.0.0.3')).toMatchObject({ evicted: ['b1'] });
  });

  it('refuses addresses outside the allow-list before counting them', () => {
    const a = admission(5, 5, '10.0.0.0/24');
    expect(open(a, 'out', '10.0.1.1')).toBe('not-allowed');
    expect(open(a, 'in', '::ffff:10.0.0.7')).toMatchObject({ evicted: [] });
    expect(a.size).toBe(1);
  });

  it('remove forgets a closed connection once', () => {
    const a = admission(5, 5);
    const opened = open(a, 'c', '10.0.0.1');
    if (typeof opened === 'string') throw new Error(opened);
    a.remove(opened.conn);
    a.remove(opened.conn);
    expect([a.size, a.countFrom('10.0.0.1')]).toEqual([0, 0]);
  });
});
