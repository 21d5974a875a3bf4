import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { HostFunction } from './evaluate.ts';
import { coerceToString } from './values.ts';

export interface HashFilesOptions {
  /** Descend into symlinked directories (`hashFiles('--follow-symbolic-links', ...)`). */
  followSymbolicLinks?: boolean;
}

const IS_WINDOWS = process.platform === 'win32';
const FOLLOW_SYMBOLIC_LINKS_OPTION = '--follow-symbolic-links';

const GLOB_OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  nobrace: true,
  noextglob: true,
  nonegate: true,
  nocase: IS_WINDOWS,
  windows: false,
};

/**
 * GitHub's hashFiles(): the hex SHA-256 of the SHA-256 digests of every file
 * the patterns match under `workspace`, or '' when none does.
 *
 * As the runner (via @actions/glob) does: each pattern argument may hold
 * several patterns, one a line (blank lines and `#` comments skipped); a
 * leading `!` excludes, and the last pattern matching a path decides; a
 * pattern also matches everything below the directories it matches; only
 * files are hashed; files are visited depth first from each pattern's literal
 * prefix, in pattern order, directory entries in byte order.
 */
export function hashFiles(workspace: string, patterns: readonly string[], options: HashFilesOptions = {}): string {
  const root = path.resolve(workspace);
  const globs = patterns.flatMap(splitPatternLines).flatMap((text) => parsePattern(text, root) ?? []);
  const matcher = new WorkspaceMatcher(globs);
  const combined = createHash('sha256');
  let fileCount = 0;
  for (const searchPath of searchPaths(globs)) {
    walk(root, searchPath, matcher, options.followSymbolicLinks ?? false, [], (file) => {
      combined.update(fileDigest(file));
      fileCount++;
    });
  }
  return fileCount > 0 ? combined.digest('hex') : '';
}

/** hashFiles(path, ...) for the expression evaluator, rooted at `workspace` (GITHUB_WORKSPACE). */
export function hashFilesFunction(workspace: string): HostFunction {
  return {
    name: 'hashFiles',
    minArgs: 1,
    maxArgs: 255,
    call: (...args: unknown[]): string => {
      const texts = args.map(coerceToString);
      const first = texts[0];
      if (first?.startsWith('--')) {
        if (first.toLowerCase() !== FOLLOW_SYMBOLIC_LINKS_OPTION) {
          throw new Error(`Invalid glob option ${first}, available option: '${FOLLOW_SYMBOLIC_LINKS_OPTION}'.`);
        }
        return hashFiles(workspace, texts.slice(1), { followSymbolicLinks: true });
      }
      return hashFiles(workspace, texts);
    },
  };
}

interface Glob {
  negate: boolean;
  /** Relative to the workspace, `/`-separated, no leading or trailing slash; '' is the workspace itself. */
  pattern: string;
  /** Written with a trailing slash: matches directories only, so for files only through their descendants. */
  directoryOnly: boolean;
}

function splitPatternLines(text: string): string[] {
  return text
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Roots a pattern at the workspace; undefined for one that can only point outside it. */
function parsePattern(text: string, root: string): Glob | undefined {
  let negate = false;
  let pattern = text;
  while (pattern.startsWith('!')) {
    negate = !negate;
    pattern = pattern.slice(1).trim();
  }
  if (IS_WINDOWS) pattern = pattern.replaceAll('\\', '/');
  const directoryOnly = pattern.endsWith('/');

  const portableRoot = IS_WINDOWS ? root.replaceAll('\\', '/') : root;
  const rootPrefix = portableRoot.endsWith('/') ? portableRoot : `${portableRoot}/`;
  if (sameText(pattern, portableRoot) || startsWithText(pattern, rootPrefix)) {
    pattern = pattern.slice(portableRoot.length);
  } else if (pattern === '~' || pattern.startsWith('~/') || (IS_WINDOWS && /^[A-Za-z]:/.test(pattern))) {
    return undefined;
  }
  // Any other leading slash means the workspace root, as GitHub's documentation shows ('/lib/**/*.rb').
  const segments = pattern.split('/').filter((segment) => segment !== '');
  if (segments[0] === '.') segments.shift();
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    throw new Error(`Invalid pattern '${text}'. Relative pathing '.' and '..' is not allowed.`);
  }
  return { negate, pattern: segments.join('/'), directoryOnly };
}

function sameText(a: string, b: string): boolean {
  return IS_WINDOWS ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function startsWithText(text: string, prefix: string): boolean {
  return sameText(text.slice(0, prefix.length), prefix);
}

class WorkspaceMatcher {
  private readonly rules: { negate: boolean; test: (relativePath: string) => boolean }[] = [];
  private readonly includes: { segments: string[]; segmentTests: ((segment: string) => boolean)[] }[] = [];

  constructor(globs: readonly Glob[]) {
    for (const glob of globs) {
      const expanded: string[] = [];
      if (!glob.directoryOnly) expanded.push(glob.pattern);
      if (glob.directoryOnly || lastSegment(glob.pattern) !== '**') expanded.push(joinGlob(glob.pattern, '**'));
      for (const pattern of expanded) {
        this.rules.push({ negate: glob.negate, test: picomatch(pattern, GLOB_OPTIONS) });
        if (!glob.negate) {
          const segments = pattern.split('/');
          this.includes.push({ segments, segmentTests: segments.map((segment) => picomatch(segment, GLOB_OPTIONS)) });
        }
      }
    }
  }

  /** Whether a file is selected: the last pattern that matches it decides. */
  matches(relativePath: string): boolean {
    let selected = false;
    for (const rule of this.rules) {
      if (rule.test(relativePath)) selected = !rule.negate;
    }
    return selected;
  }

  /** Whether some include pattern could match something below this directory. */
  mayMatchBelow(relativeDirectory: string): boolean {
    const directorySegments = relativeDirectory === '' ? [] : relativeDirectory.split('/');
    return this.includes.some(({ segments, segmentTests }) => {
      for (const [index, directorySegment] of directorySegments.entries()) {
        if (segments[index] === '**') return true;
        const test = segmentTests[index];
        if (test === undefined || !test(directorySegment)) return false;
      }
      return true;
    });
  }
}

function lastSegment(pattern: string): string {
  return pattern.slice(pattern.lastIndexOf('/') + 1);
}

function joinGlob(base: string, rest: string): string {
  return base === '' ? rest : `${base}/${rest}`;
}

/**
 * Where to start walking: each include pattern's literal prefix, in pattern
 * order, dropping repeats and prefixes inside another pattern's prefix.
 */
function searchPaths(globs: readonly Glob[]): string[] {
  const prefixes = globs.filter((glob) => !glob.negate).map((glob) => literalPrefix(glob.pattern));
  const candidates = new Set(prefixes);
  const chosen: string[] = [];
  for (const prefix of prefixes) {
    if (chosen.includes(prefix)) continue;
    if (ancestorsOf(prefix).some((ancestor) => candidates.has(ancestor))) continue;
    chosen.push(prefix);
  }
  return chosen;
}

function literalPrefix(pattern: string): string {
  const literal: string[] = [];
  for (const segment of pattern === '' ? [] : pattern.split('/')) {
    if (/[*?[]/.test(segment)) break;
    literal.push(segment.replaceAll(/\\(.)/g, '$1'));
  }
  return literal.join('/');
}

function ancestorsOf(relativePath: string): string[] {
  if (relativePath === '') return [];
  const segments = relativePath.split('/');
  return segments.map((_, length) => segments.slice(0, length).join('/'));
}

function walk(
  root: string,
  relativePath: string,
  matcher: WorkspaceMatcher,
  followSymbolicLinks: boolean,
  directoryChain: readonly string[],
  visitFile: (absolutePath: string) => void,
): void {
  const absolutePath = relativePath === '' ? root : path.join(root, relativePath);
  const stats = statOrUndefined(absolutePath, followSymbolicLinks);
  if (!stats) return;

  if (!stats.isDirectory()) {
    if (relativePath === '' || !matcher.matches(relativePath)) return;
    // Without following links, a symlink is matched as a file; its target is what gets hashed.
    if (statOrUndefined(absolutePath, true)?.isFile()) visitFile(absolutePath);
    return;
  }

  if (!matcher.mayMatchBelow(relativePath)) return;
  let chain = directoryChain;
  if (followSymbolicLinks) {
    const realPath = realpathSync(absolutePath);
    if (directoryChain.includes(realPath)) return;
    chain = [...directoryChain, realPath];
  }
  const entries = readdirSync(absolutePath).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const entry of entries) {
    walk(root, joinGlob(relativePath, entry), matcher, followSymbolicLinks, chain, visitFile);
  }
}

function fileDigest(absolutePath: string): Buffer {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(64 * 1024);
  const descriptor = openSync(absolutePath, 'r');
  try {
    for (let read = readSync(descriptor, buffer); read > 0; read = readSync(descriptor, buffer)) {
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(descriptor);
  }
  return hash.digest();
}

function statOrUndefined(absolutePath: string, followSymbolicLinks: boolean): Stats | undefined {
  try {
    return followSymbolicLinks ? statSync(absolutePath) : lstatSync(absolutePath);
  } catch {
    return undefined;
  }
}
