// What a zip archive holds, read from its central directory, and whether any of
// its entries would land outside the folder it is extracted into.

import path from 'node:path';
import yauzl from 'yauzl';

export interface ZipEntryInfo {
  name: string;
  size: number;
  symlink: boolean;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export function zipEntries(file: string): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    // decodeStrings: false keeps yauzl from refusing names itself, so the caller sees which one and why.
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, autoClose: true }, (error, zip) => {
      if (error) return reject(error);
      const entries: ZipEntryInfo[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = entry.fileName as unknown as Buffer;
        const name = raw.toString('utf8');
        const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
        entries.push({ name, size: entry.uncompressedSize, symlink: mode === S_IFLNK });
        zip.readEntry();
      });
      zip.once('end', () => resolve(entries));
      zip.once('error', reject);
      zip.readEntry();
    });
  });
}

/** Why an entry name may not be extracted (absolute, `..`, a drive or NUL), or undefined when it may. */
export function unsafeEntryReason(name: string): string | undefined {
  if (name.includes('\0')) return 'contains a NUL character';
  const normalized = name.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[A-Za-z]:/.test(normalized)) return 'is an absolute path';
  if (normalized.split('/').includes('..')) return "climbs out with '..'";
  const resolved = path.posix.normalize(normalized);
  if (resolved.startsWith('../') || resolved === '..') return 'lands outside the folder';
  return undefined;
}

/** The first entry that could escape its folder: unsafe names and symbolic links. */
export async function firstUnsafeEntry(file: string): Promise<{ name: string; reason: string } | undefined> {
  for (const entry of await zipEntries(file)) {
    const reason = unsafeEntryReason(entry.name) ?? (entry.symlink ? 'is a symbolic link' : undefined);
    if (reason) return { name: entry.name, reason };
  }
  return undefined;
}
