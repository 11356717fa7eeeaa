// The two NameNodes of nameservice ns1 that unit and integration tests name when they need a
// NamenodeTarget without a cluster behind it (nn1/nn2.example.com, RPC 8020, ZKFC 8019).

import type { NamenodeTarget } from '../../src/core/types.js';

export const NN1: NamenodeTarget = Object.freeze({
  nameserviceId: 'ns1',
  namenodeId: 'nn1',
  serviceAddress: Object.freeze({ host: 'nn1.example.com', port: 8020 }),
  zkfcPort: 8019,
});

export const NN2: NamenodeTarget = Object.freeze({
  nameserviceId: 'ns1',
  namenodeId: 'nn2',
  serviceAddress: Object.freeze({ host: 'nn2.example.com', port: 8020 }),
  zkfcPort: 8019,
});
