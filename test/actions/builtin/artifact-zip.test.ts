// Artifact zips: what the built-in writes, @actions/artifact's extractor reads
// (and the reverse), and extraction refuses every entry that would land outside.

import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import { extractZip, UnsafeArchiveError, writeZip } from '../../../src/actions/builtin/artifact-zip.ts';

/** A zip whose entry names are written as given, bypassing yazl's own name checks by rewriting same-length placeholders. */
async function rawZip(file: string, entries: { name: string; content: string; mode?: number }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  const placeholders = entries.map((entry, index) => `${'P'.repeat(entry.name.length - String(index).length)}${index}`);
  entries.forEach((entry, index) => zip.addBuffer(Buffer.from(entry.content), placeholders[index]!, { compress: false, ...(entry.mode ? { mode: entry.mode } : {}) }));
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
  let text = (await readFile(file)).toString('latin1');
  entries.forEach((entry, index) => (text = text.replaceAll(placeholders[index]!, entry.name)));
  await writeFile(file, Buffer.from(text, 'latin1'));
}

describe('artifact zips', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'gantry-zip-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes files relative to the root and extracts them back', async () => {
    const source = path.join(root, 'source');
    await mkdir(path.join(source, 'a', 'b'), { recursive: true });
    await writeFile(path.join(source, 'a', 'one.txt'), 'one');
    await writeFile(path.join(source, 'a', 'b', 'two.txt'), 'two');
    const zip = path.join(root, 'out.zip');
    const { digest } = await writeZip(zip, source, [path.join(source, 'a', 'one.txt'), path.join(source, 'a', 'b', 'two.txt')], 6);
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    const target = path.join(root, 'target');
    assert.equal(await extractZip(zip, target), 2);
    assert.equal(await readFile(path.join(target, 'a', 'b', 'two.txt'), 'utf8'), 'two');
  });

  for (const [name, expected] of [
    ['../escape.txt', /climbs out with '\.\.'/],
    ['ok/../../escape.txt', /climbs out/],
    ['/tmp/absolute.txt', /is an absolute path/],
    ['..\\windows.txt', /climbs out/],
  ] as const) {
    it(`refuses the entry ${name} before writing anything`, async () => {
      const zip = path.join(root, `bad-${name.length}.zip`);
      await rawZip(zip, [{ name, content: 'pwned' }]);
      const target = path.join(root, `target-${name.length}`);
      await assert.rejects(extractZip(zip, target), (error: Error) => error instanceof UnsafeArchiveError && expected.test(error.message));
      assert.deepEqual(await readdir(target), []);
      assert.ok(!(await readdir(root)).includes('escape.txt'));
    });
  }

  it('refuses symbolic-link entries', async () => {
    const zip = path.join(root, 'link.zip');
    await rawZip(zip, [{ name: 'link', content: '/etc/passwd', mode: 0o120777 }]);
    await assert.rejects(extractZip(zip, path.join(root, 'link-target')), /is a symbolic link/);
  });

  it('refuses an entry that would go through a link already in the destination', async () => {
    const outside = path.join(root, 'outside');
    const target = path.join(root, 'with-link');
    await mkdir(outside, { recursive: true });
    await mkdir(target, { recursive: true });
    await symlink(outside, path.join(target, 'sneaky'));
    const zip = path.join(root, 'through-link.zip');
    await rawZip(zip, [{ name: 'sneaky/file.txt', content: 'pwned' }]);
    await assert.rejects(extractZip(zip, target), /goes through a link out of/);
    assert.deepEqual(await readdir(outside), []);
  });
});
