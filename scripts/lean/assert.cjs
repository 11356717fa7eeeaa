// Stands in for node:assert in the daemon's bundle (scripts/bundle-daemon.mjs, leanAssert), for
// node-zookeeper-client and sonic-boom, which only call assert(value, message) to check their
// arguments: node:assert itself loads six more Node modules (its error class, diffing, colours),
// resident for the life of the process. Same contract: a falsy value throws an AssertionError
// (code ERR_ASSERTION) with the given message, or the given Error itself.
'use strict';

class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
    this.code = 'ERR_ASSERTION';
  }
}

function assert(value, message) {
  if (value) return;
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? 'The expression evaluated to a falsy value');
}

module.exports = assert;
module.exports.ok = assert;
module.exports.AssertionError = AssertionError;
