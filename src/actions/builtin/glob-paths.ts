// Path patterns as @actions/glob reads them (the `path` inputs of actions/cache
// and actions/upload-artifact): one pattern a line, `#` comments, `!` excludes,
// `~` for home, relative to the workspace, `**` for any depth, hidden entries
// matched by `*`; a literal path matches when it exists.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

export interface GlobOptions {
  workspace: string;
  home: string;
  /** Also match every file and folder under a matched folder (upload-artifact), not just the folder (cache). */
  implicitDescendants: boolean;
  /** Skip files and folders whose name starts with a dot (upload-artifact without include-hidden-files). */
  excludeHidden: boolean;
}

interface Pattern {
  negate: boolean;
  /** Absolute, with `/` separators. */
  absolute: string;
  /** The part before the first segment with a wildcard: where the search starts. */
  searchPath: string;
  /** `exact`: the pattern itself matches; `below`: an implicit descendant of a match. */
  matcher: (candidate: string, isFolder: boolean) => boolean;
}

const wildcard = /[*?[\]{}]/;

export function patternLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function parsePattern(line: string, options: GlobOptions): Pattern {
  let text = line;
  let negate = false;
  while (text.startsWith('!')) {
    negate = !negate;
    text = text.slice(1).trim();
  }
  if (text === '~' || text.startsWith('~/')) text = options.home + text.slice(1);
  const matchDirectoryOnly = text.endsWith('/') && text.length > 1;
  const absolute = path.resolve(options.workspace, text).split(path.sep).join('/');
  const segments = absolute.split('/');
  const firstWild = segments.findIndex((segment) => wildcard.test(segment));
  const searchPath = firstWild === -1 ? absolute : segments.slice(0, firstWild).join('/') || '/';
  const exact = picomatch(absolute, { dot: true });
  const under = options.implicitDescendants ? picomatch(`${absolute.replace(/\/$/, '')}/**`, { dot: true }) : () => false;
  // A trailing slash matches folders only; what lies below them still counts as their descendants.
  const matcher = (candidate: string, isFolder: boolean) => ((isFolder || !matchDirectoryOnly) && exact(candidate)) || under(candidate);
  return { negate, absolute, searchPath, matcher };
}

/** The folders the search starts from, without those inside another (@actions/glob's getSearchPaths). */
export function searchPaths(lines: readonly string[], options: GlobOptions): string[] {
  const roots = [...new Set(lines.map((line) => parsePattern(line, options)).filter((p) => !p.negate).map((p) => p.searchPath))].sort();
  return roots.filter((root) => !roots.some((other) => other !== root && (root.startsWith(`${other}/`) || other === '/')));
}

/** Every existing path the patterns match (files and folders), in walk order, without duplicates. */
export function globPaths(lines: readonly string[], options: GlobOptions): string[] {
  const patterns = lines.map((line) => parsePattern(line, options));
  const includes = patterns.filter((p) => !p.negate);
  const excludes = patterns.filter((p) => p.negate);
  const found = new Set<string>();
  const consider = (candidate: string, isFolder: boolean) => {
    const included = includes.some((p) => p.matcher(candidate, isFolder));
    if (included && !excludes.some((p) => p.matcher(candidate, isFolder))) found.add(candidate);
  };
  const depthOf = (candidate: string) => candidate.split('/').length;
  const maxDepth = Math.max(
    ...includes.map((p) => (options.implicitDescendants || p.absolute.includes('**') ? Infinity : depthOf(p.absolute))),
  );
  const walk = (folder: string, visited: Set<string>) => {
    if (depthOf(folder) >= maxDepth) return;
    let names: string[];
    try {
      names = readdirSync(folder).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (options.excludeHidden && name.startsWith('.')) continue;
      const child = `${folder === '/' ? '' : folder}/${name}`;
      const info = statSync(child, { throwIfNoEntry: false });
      if (!info) continue;
      consider(child, info.isDirectory());
      if (info.isDirectory()) {
        const identity = `${info.dev}:${info.ino}`;
        if (visited.has(identity)) continue;
        walk(child, new Set([...visited, identity]));
      }
    }
  };
  for (const root of searchPaths(lines, options)) {
    if (options.excludeHidden && path.basename(root).startsWith('.')) continue;
    const info = statSync(root, { throwIfNoEntry: false });
    if (!info) continue;
    consider(root, info.isDirectory());
    const needsWalk = info.isDirectory() && includes.some((p) => p.absolute !== p.searchPath || options.implicitDescendants);
    if (needsWalk) walk(root, new Set([`${info.dev}:${info.ino}`]));
  }
  return [...found];
}
