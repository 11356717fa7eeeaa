// Goal: the ResourceManager lock data is byte-identical to what Hadoop's embedded elector writes
// (ActiveRMInfoProto: clusterId = 1, rmId = 2, nothing else in Hadoop 3.4 / 3.5), garbage is
// refused with the znode and the bytes named, a later Hadoop's extra fields are accepted, and an
// rm-id is turned into the target the core fences (an unknown one into nothing it could fence).
// Method: golden bytes written out by hand from the protobuf wire format; decode round trips.
import { describe, expect, it } from 'vitest';
import { InvalidZnodeDataError } from '../../../src/hadoop/active-node-info.js';
import { decodeActiveRmInfo, encodeActiveRmInfo, resourceManagerCodec } from '../../../src/hadoop/active-rm-info.js';
import { breadcrumbTarget } from '../../../src/core/controller/breadcrumb-target.js';
import type { NamenodeTarget } from '../../../src/core/types.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const rm = (id: string, port: number): NamenodeTarget => ({
  nameserviceId: 'yc1',
  namenodeId: id,
  serviceAddress: { host: '127.0.0.1', port },
  zkfcPort: port + 1,
});

describe('ActiveRMInfoProto', () => {
  it('encodes field 1 clusterId and field 2 rmId, as the embedded elector does', () => {
    // 0a 03 "yc1" 12 03 "rm2"
    expect(hex(encodeActiveRmInfo({ clusterId: 'yc1', rmId: 'rm2' }))).toBe('0a037963311203726d32');
  });

  it('decodes with later fields ignored and refuses what is not one', () => {
    const withAddr = Buffer.concat([
      Buffer.from(encodeActiveRmInfo({ clusterId: 'yc1', rmId: 'rm1' })),
      Buffer.from('1a0e6c6f63616c686f73743a38303332', 'hex'), // field 3 "localhost:8032"
    ]);
    expect(decodeActiveRmInfo(withAddr)).toEqual({ clusterId: 'yc1', rmId: 'rm1' });
    for (const bad of [
      new Uint8Array(),
      Buffer.from('0a03796331', 'hex'), // no rmId
      Buffer.from('0a0a79', 'hex'), // truncated
      Buffer.from('0a036e7331120e6e6e31', 'hex'), // length past the end
    ]) {
      expect(() => decodeActiveRmInfo(bad, '/yarn-leader-election/yc1/ActiveBreadCrumb')).toThrow(
        InvalidZnodeDataError,
      );
      expect(() => decodeActiveRmInfo(bad, '/yarn-leader-election/yc1/ActiveBreadCrumb')).toThrow(/ActiveBreadCrumb/);
    }
  });

  it('turns an rm-id into its configured target; another cluster or an unknown rm-id is never fenced', () => {
    const targets = [rm('rm1', 18033), rm('rm2', 28033)];
    const decode = resourceManagerCodec(targets);
    const crumb = encodeActiveRmInfo({ clusterId: 'yc1', rmId: 'rm1' });
    const info = decode(crumb, 'breadcrumb');
    expect(info).toEqual({
      nameserviceId: 'yc1',
      namenodeId: 'rm1',
      hostname: '127.0.0.1',
      port: 18033,
      zkfcPort: 18034,
    });
    const resolved = breadcrumbTarget(crumb, { ok: true, info }, targets);
    expect(resolved.ok && resolved.target.namenodeId).toBe('rm1');

    const other = encodeActiveRmInfo({ clusterId: 'other-cluster', rmId: 'rm1' });
    const refused = breadcrumbTarget(other, { ok: true, info: decode(other, 'breadcrumb') }, targets);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatch(/other-cluster/);

    const unknown = encodeActiveRmInfo({ clusterId: 'yc1', rmId: 'rm7' });
    const notOurs = breadcrumbTarget(unknown, { ok: true, info: decode(unknown, 'breadcrumb') }, targets);
    expect(notOurs.ok).toBe(false);
    expect(!notOurs.ok && notOurs.error).toMatch(/rm7/);
  });
});
