// Hadoop's AccessControlList as used by dfs.cluster.administrators: "user1,user2 group1,group2",
// "*" for everyone, a single space (the default) for nobody. Group membership is looked up the way
// Hadoop's default ShellBasedUnixGroupsMapping sees it (the OS groups of the user), read from
// /etc/passwd and /etc/group so the check never forks a process on the RPC path.

import { readFileSync } from 'node:fs';

export interface GroupLookup {
  groupsOf(user: string): readonly string[];
}

/** Groups of a user from /etc/passwd (primary) and /etc/group (supplementary). Unknown user: none. */
export const etcGroupLookup: GroupLookup = {
  groupsOf(user: string): readonly string[] {
    const groups = new Set<string>();
    let primaryGid: string | undefined;
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const fields = line.split(':');
        if (fields[0] === user) primaryGid = fields[3];
      }
      for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
        const [name, , gid, members] = line.split(':');
        if (name === undefined || name === '') continue;
        if (gid === primaryGid || (members ?? '').split(',').includes(user)) groups.add(name);
      }
    } catch {
      // no passwd/group files: the user has no groups
    }
    return [...groups];
  },
};

export class AdminAcl {
  private readonly allowAll: boolean;
  private readonly users: ReadonlySet<string>;
  private readonly groups: ReadonlySet<string>;

  constructor(
    spec: string,
    private readonly groupLookup: GroupLookup = etcGroupLookup,
  ) {
    const trimmed = spec.trim();
    this.allowAll = trimmed === '*';
    // Parity: AccessControlList(String): users, then a space, then groups; both comma-separated.
    const space = spec.replace(/^\s+/, '').indexOf(' ');
    const text = spec.replace(/^\s+/, '');
    const userPart = space < 0 ? text : text.slice(0, space);
    const groupPart = space < 0 ? '' : text.slice(space + 1);
    const list = (s: string) =>
      new Set(
        s
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '' && x !== '*'),
      );
    this.users = list(userPart);
    this.groups = list(groupPart);
  }

  isUserAllowed(user: string): boolean {
    if (this.allowAll) return true;
    if (this.users.has(user)) return true;
    if (this.groups.size === 0) return false;
    return this.groupLookup.groupsOf(user).some((group) => this.groups.has(group));
  }
}

/** Parity: UserGroupInformation.getShortUserName for SIMPLE names ("hdfs/host@REALM" → "hdfs"). */
export function shortUserName(user: string): string {
  return user.split(/[/@]/)[0] ?? user;
}
