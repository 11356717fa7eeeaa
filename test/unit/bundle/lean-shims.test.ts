// Goal: the stand-ins of the daemon's bundle (scripts/lean/) keep the contract their callers use:
// @opentelemetry/api answers prom-client's only question, the active span, with "none", so an
// exemplar would carry no trace labels rather than throw; assert(value, message) throws as
// node:assert does for node-zookeeper-client's and sonic-boom's argument checks; yargs-parser
// gives convict what the real one gives for no arguments, and refuses arguments.
// Method: the callers' own calls against the stand-ins, and node:assert side by side.
import nodeAssert from 'node:assert';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const leanAssert: typeof nodeAssert = require('../../../scripts/lean/assert.cjs') as typeof nodeAssert;
type Parse = (args: string[], options?: object) => unknown;
const yargsParser = require('yargs-parser') as Parse;
const leanYargsParser = require('../../../scripts/lean/yargs-parser.cjs') as Parse;
const otel = require('../../../scripts/lean/opentelemetry-api.cjs') as {
  context: { active: () => unknown };
  trace: { getSpan: (context: unknown) => unknown };
};

describe('@opentelemetry/api stand-in', () => {
  it('has no active span', () => {
    expect(otel.trace.getSpan(otel.context.active())).toBeUndefined();
  });
});

describe('assert stand-in', () => {
  it('passes truthy values and throws what node:assert throws for falsy ones', () => {
    for (const value of [true, 1, 'x', {}, []]) expect(() => leanAssert(value, 'm')).not.toThrow();
    for (const value of [false, 0, '', null, undefined]) {
      let expected: unknown;
      try {
        nodeAssert(value, 'fn must be a function.');
      } catch (error) {
        expected = error;
      }
      const thrown = (() => {
        try {
          leanAssert(value, 'fn must be a function.');
        } catch (error) {
          return error;
        }
        return undefined;
      })() as Error & { code?: string };
      const { name, message, code } = expected as Error & { code?: string };
      expect({ name: thrown.name, message: thrown.message, code: thrown.code }).toEqual({ name, message, code });
    }
    const given = new RangeError('bad');
    expect(() => leanAssert(false, given)).toThrow(given);
  });
});

describe('yargs-parser stand-in', () => {
  it("parses no arguments as yargs-parser does, with convict's options, and refuses any argument", () => {
    const options = { configuration: { 'dot-notation': false } };
    expect(leanYargsParser([], options)).toEqual(yargsParser([], options));
    expect(() => leanYargsParser(['--zkfc.port', '1'], options)).toThrow(/given arguments/);
  });
});
