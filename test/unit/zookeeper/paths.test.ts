// Goal: the nameservice's znode paths are Hadoop's (docs/hadoop-compat.md §4.1: parent + '/' if missing +
// nameservice, ActiveStandbyElectorLock, ActiveBreadCrumb) and invalid paths are refused with
// ZooKeeper's own rules (PathUtils.validatePath) as a ConfigError naming the key.
// Method: table tests on the pure functions.

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { electorPaths, workingDirFor, znodePathProblem } from '../../../src/zookeeper/paths.js';

describe('electorPaths', () => {
  it('default layout', () => {
    expect(electorPaths('/hadoop-ha', 'mycluster')).toEqual({
      workingDir: '/hadoop-ha/mycluster',
      lockPath: '/hadoop-ha/mycluster/ActiveStandbyElectorLock',
      breadcrumbPath: '/hadoop-ha/mycluster/ActiveBreadCrumb',
    });
  });

  it.each([
    ['/hadoop-ha/', 'ns1', '/hadoop-ha/ns1'],
    ['/', 'ns1', '/ns1'],
    ['/a/b/c', 'ns-2', '/a/b/c/ns-2'],
  ])('parent %j + %j = %j', (parent, nameservice, expected) => {
    expect(workingDirFor(parent, nameservice)).toBe(expected);
  });

  it.each([
    ['hadoop-ha', 'ns1', /must start with \//],
    ['/hadoop-ha//', 'ns1', /empty node name/],
    ['/hadoop-ha/..', 'ns1', /relative paths/],
    ['/hadoop-ha', '', /nameservice id must not be empty/],
    ['/hadoop-ha', 'ns\u0001', /invalid character/],
  ])('refuses parent %j with nameservice %j', (parent, nameservice, message) => {
    expect(() => workingDirFor(parent, nameservice)).toThrow(ConfigError);
    expect(() => workingDirFor(parent, nameservice)).toThrow(message);
  });
});

describe('znodePathProblem (PathUtils.validatePath)', () => {
  it.each(['/', '/a', '/a/b.c/d..e', '/zookeeper/quota', '/ünïcödé'])('accepts %j', (path) => {
    expect(znodePathProblem(path)).toBeUndefined();
  });

  it.each([
    ['', /length/],
    ['a', /start with/],
    ['/a/', /end with/],
    ['/a//b', /empty node name/],
    ['/a/./b', /relative/],
    ['/a/../b', /relative/],
    ['/a\u0000', /null character/],
    ['/a\u007f', /invalid character @2/],
    ['/a\ud800', /invalid character/],
    ['/\ufff5', /invalid character/],
  ])('refuses %j', (path, message) => {
    expect(znodePathProblem(path)).toMatch(message);
  });
});
