// Artifact archives: a zip of files relative to a root folder (as
// actions/upload-artifact makes them), and extraction that refuses any entry
// which would land outside the destination (`..`, absolute paths, symbolic
// links, or a path through a link already in the destination).

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';

export async function writeZip(file: string, root: string, files: readonly string[], compressionLevel: number): Promise<{ digest: string }> {
  const zip = new yazl.ZipFile();
  for (const source of files) {
    const name = path.relative(root, source).split(path.sep).join('/');
    zip.addFile(source, name, compressionLevel === 0 ? { compress: false } : { compress: true, compressionLevel });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return { digest: `sha256:${hash.digest('hex')}` };
}

export class UnsafeArchiveError extends Error {}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function entryTarget(destination: string, name: string): string {
  const normalized = name.replace(/\\/g, '/');
  if (name.includes('\0')) throw new UnsafeArchiveError(`the archive entry '${name}' contains a NUL character`);
  if (normalized.startsWith('/') || /^[A-Za-z]:/.test(normalized)) throw new UnsafeArchiveError(`the archive entry '${name}' is an absolute path`);
  if (normalized.split('/').includes('..')) throw new UnsafeArchiveError(`the archive entry '${name}' climbs out with '..'`);
  const target = path.resolve(destination, normalized);
  if (target !== destination && !target.startsWith(`${destination}${path.sep}`)) throw new UnsafeArchiveError(`the archive entry '${name}' lands outside ${destination}`);
  return target;
}

/** Extracts `file` into `destination`; an unsafe entry stops it with UnsafeArchiveError before it is written. */
export async function extractZip(file: string, destination: string): Promise<number> {
  await mkdir(destination, { recursive: true });
  const root = await realpath(destination);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, autoClose: false }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const openEntry = (entry: yauzl.Entry) =>
    new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
  let count = 0;
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(undefined));
        zip.once('error', reject);
        zip.readEntry();
      });
      zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      if (!entry) break;
      const name = (entry.fileName as unknown as Buffer).toString('utf8');
      const target = entryTarget(root, name);
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw new UnsafeArchiveError(`the archive entry '${name}' is a symbolic link`);
      const folder = name.endsWith('/') ? target : path.dirname(target);
      await mkdir(folder, { recursive: true });
      const real = await realpath(folder);
      if (real !== root && !real.startsWith(`${root}${path.sep}`)) throw new UnsafeArchiveError(`the archive entry '${name}' goes through a link out of ${root}`);
      if (name.endsWith('/')) continue;
      await pipeline(await openEntry(entry), createWriteStream(path.join(real, path.basename(target))));
      count++;
    }
  } finally {
    zip.close();
  }
  return count;
}
