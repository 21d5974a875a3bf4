import { readFileSync } from 'node:fs';

/** An account of this machine, e.g. the `postgres` user Debian's package creates. */
export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export function systemUser(name: string, passwdFile = '/etc/passwd'): SystemUser | undefined {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
  }
  return undefined;
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}
