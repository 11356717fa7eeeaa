// Goal: ActiveNodeInfo bytes equal what Java's HAZKInfoProtos writes (docs/hadoop-compat.md §4.2 worked example),
// and decoding refuses garbage with an error naming the bytes, never returning partial data.
import { describe, expect, it } from 'vitest';
import {
  decodeActiveNodeInfo,
  encodeActiveNodeInfo,
  InvalidZnodeDataError,
} from '../../../src/hadoop/active-node-info.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const info = { nameserviceId: 'ns1', namenodeId: 'nn1', hostname: 'nn1.example.com', port: 8020, zkfcPort: 8019 };

describe('ActiveNodeInfo', () => {
  it('encodes the docs/hadoop-compat.md §4.2 example byte for byte', () => {
    expect(hex(encodeActiveNodeInfo(info))).toBe(
      '0a036e7331' + '12036e6e31' + '1a0f' + Buffer.from('nn1.example.com').toString('hex') + '20d43e' + '28d33e',
    );
  });

  it('round-trips', () => {
    expect(decodeActiveNodeInfo(encodeActiveNodeInfo(info))).toEqual(info);
  });

  it.each([
    ['empty', new Uint8Array()],
    ['random text', new TextEncoder().encode('hello world, not protobuf')],
    ['truncated', encodeActiveNodeInfo(info).subarray(0, 12)],
    ['missing zkfcPort', encodeActiveNodeInfo(info).subarray(0, 25)],
    ['unknown field 9', Buffer.concat([Buffer.from(encodeActiveNodeInfo(info)), Buffer.from([0x48, 0x01])])],
  ])('refuses %s with InvalidZnodeDataError', (_name, bytes) => {
    expect(() => decodeActiveNodeInfo(bytes, '/hadoop-ha/ns1/ActiveBreadCrumb')).toThrow(InvalidZnodeDataError);
    expect(() => decodeActiveNodeInfo(bytes, '/hadoop-ha/ns1/ActiveBreadCrumb')).toThrow(/ActiveBreadCrumb/);
  });
});
