// Versions and version ranges with npm semver's meaning, for choosing among the
// toolchains installed on this machine: `3.10` is any 3.10.x, `x`/`*` are wildcards,
// `~`, `^`, `<`, `<=`, `>`, `>=`, `=`, hyphen ranges `A - B` and `||` alternatives.
// A prerelease (3.13.0-rc1) satisfies a range only when one of its comparators names
// a prerelease of the same major.minor.patch, as semver's satisfies() decides.

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated prerelease identifiers; numeric ones as numbers. Empty for a release. */
  prerelease: (string | number)[];
}

type Operator = '<' | '<=' | '>' | '>=' | '=';

interface Comparator {
  operator: Operator;
  version: Version;
}

export interface RangeOptions {
  /** Let prereleases satisfy the range like releases (semver's includePrerelease). */
  includePrerelease?: boolean;
}

export interface VersionRange {
  /** Alternatives (`||`), each a set of comparators that must all hold; an empty set matches any release. */
  alternatives: Comparator[][];
  includePrerelease: boolean;
}

const numericIdentifier = /^(0|[1-9]\d*)$/;

function parseIdentifiers(text: string): (string | number)[] {
  return text.split('.').map((part) => (numericIdentifier.test(part) ? Number(part) : part));
}

/** `v20.11.1`, `3.11.7`, `3.13.0-rc.1`, `=1.2.3`; build metadata (`+...`) is dropped. */
export function parseVersion(text: string): Version | undefined {
  const match = /^\s*[=v]*\s*(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]*)?\s*$/.exec(text);
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] ? parseIdentifiers(match[4]) : [],
  };
}

export function formatVersion(version: Version): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease.length > 0 ? `${core}-${version.prerelease.join('.')}` : core;
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareVersions(a: Version, b: Version): number {
  const byCore = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (byCore !== 0) return byCore;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let index = 0; index < Math.max(a.prerelease.length, b.prerelease.length); index++) {
    const left = a.prerelease[index];
    const right = b.prerelease[index];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    const order = compareIdentifiers(left, right);
    if (order !== 0) return order;
  }
  return 0;
}

/** A version as written in a range: missing or wildcard parts are undefined. */
interface PartialVersion {
  major?: number;
  minor?: number;
  patch?: number;
  prerelease: (string | number)[];
}

function parsePartial(text: string): PartialVersion | undefined {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*])(?:\.(\d+|[xX*])(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]*)?)?)?$/.exec(text);
  if (!match) return undefined;
  const part = (value: string | undefined) => (value === undefined || /^[xX*]$/.test(value) ? undefined : Number(value));
  const major = part(match[1]);
  const minor = major === undefined ? undefined : part(match[2]);
  const patch = minor === undefined ? undefined : part(match[3]);
  return { major, minor, patch, prerelease: patch !== undefined && match[4] ? parseIdentifiers(match[4]) : [] };
}

function version(major: number, minor: number, patch: number, prerelease: (string | number)[] = []): Version {
  return { major, minor, patch, prerelease };
}

/** The version the partial names, missing parts 0: `3.10` -> 3.10.0. */
function lowest(partial: PartialVersion): Version {
  return version(partial.major ?? 0, partial.minor ?? 0, partial.patch ?? 0, partial.prerelease);
}

/** The lowest version at or above `floor`: with prereleases included that is its `-0` prerelease. */
function floorOf(floor: Version, includePrerelease: boolean): Version {
  return includePrerelease && floor.prerelease.length === 0 ? { ...floor, prerelease: [0] } : floor;
}

/** The first version above everything the partial covers, as a `-0` prerelease so that no prerelease of it slips in. */
function aboveAll(partial: PartialVersion): Version | undefined {
  if (partial.major === undefined) return undefined;
  if (partial.minor === undefined) return version(partial.major + 1, 0, 0, [0]);
  if (partial.patch === undefined) return version(partial.major, partial.minor + 1, 0, [0]);
  return undefined;
}

function isComplete(partial: PartialVersion): partial is PartialVersion & { major: number; minor: number; patch: number } {
  return partial.patch !== undefined;
}

function between(floor: Version | undefined, below: Version | undefined): Comparator[] {
  const comparators: Comparator[] = [];
  if (floor) comparators.push({ operator: '>=', version: floor });
  if (below) comparators.push({ operator: '<', version: below });
  return comparators;
}

function xRange(partial: PartialVersion, includePrerelease: boolean): Comparator[] {
  if (isComplete(partial)) return [{ operator: '=', version: lowest(partial) }];
  if (partial.major === undefined) return [];
  return between(floorOf(lowest(partial), includePrerelease), aboveAll(partial));
}

/** semver's tilde never lowers its floor to a prerelease. */
function tildeRange(partial: PartialVersion): Comparator[] {
  if (partial.major === undefined) return [];
  if (partial.minor === undefined) return between(lowest(partial), aboveAll(partial));
  return between(lowest(partial), version(partial.major, partial.minor + 1, 0, [0]));
}

function caretRange(partial: PartialVersion, includePrerelease: boolean): Comparator[] {
  const { major, minor, patch } = partial;
  if (major === undefined) return [];
  if (minor === undefined) return xRange(partial, includePrerelease);
  let below: Version;
  if (major > 0) below = version(major + 1, 0, 0, [0]);
  else if (minor > 0 || patch === undefined) below = version(0, minor + 1, 0, [0]);
  else below = version(0, 0, patch + 1, [0]);
  return between(patch === undefined ? floorOf(lowest(partial), includePrerelease) : lowest(partial), below);
}

function primitiveRange(operator: string, partial: PartialVersion, includePrerelease: boolean): Comparator[] | undefined {
  switch (operator) {
    case '':
    case '=':
      return xRange(partial, includePrerelease);
    case '~':
    case '~>':
      return tildeRange(partial);
    case '^':
      return caretRange(partial, includePrerelease);
    case '>=':
      if (partial.major === undefined) return [];
      return [{ operator: '>=', version: isComplete(partial) ? lowest(partial) : floorOf(lowest(partial), includePrerelease) }];
    case '<':
      // `<3.10` is below 3.10.0 and all of its prereleases; `<*` matches nothing.
      if (partial.major === undefined) return [{ operator: '<', version: version(0, 0, 0, [0]) }];
      return [{ operator: '<', version: isComplete(partial) ? lowest(partial) : version(partial.major, partial.minor ?? 0, 0, [0]) }];
    case '>': {
      if (partial.major === undefined) return [{ operator: '<', version: version(0, 0, 0, [0]) }];
      const above = aboveAll(partial);
      return above ? [{ operator: '>=', version: floorOf({ ...above, prerelease: [] }, includePrerelease) }] : [{ operator: '>', version: lowest(partial) }];
    }
    case '<=': {
      if (partial.major === undefined) return [];
      const above = aboveAll(partial);
      return above ? [{ operator: '<', version: above }] : [{ operator: '<=', version: lowest(partial) }];
    }
    default:
      return undefined;
  }
}

function parseHyphenRange(start: PartialVersion, end: PartialVersion, includePrerelease: boolean): Comparator[] {
  const comparators: Comparator[] = start.major === undefined ? [] : [{ operator: '>=', version: floorOf(lowest(start), includePrerelease) }];
  if (end.major === undefined) return comparators;
  const above = aboveAll(end);
  comparators.push(above ? { operator: '<', version: above } : { operator: '<=', version: lowest(end) });
  return comparators;
}

function parseComparatorSet(text: string, includePrerelease: boolean): Comparator[] | undefined {
  const trimmed = text.trim();
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(trimmed);
  if (hyphen) {
    const start = parsePartial(hyphen[1]!);
    const end = parsePartial(hyphen[2]!);
    return start && end ? parseHyphenRange(start, end, includePrerelease) : undefined;
  }
  // `>= 3.9` is written `>=3.9`, as semver's loose parsing allows.
  const tokens = trimmed.replace(/(<=|>=|<|>|=|~>|~|\^)\s+/g, '$1').split(/\s+/).filter(Boolean);
  const comparators: Comparator[] = [];
  for (const token of tokens) {
    const match = /^(<=|>=|<|>|=|~>|~|\^)?(.*)$/.exec(token)!;
    const partial = parsePartial(match[2]!);
    if (!partial) return undefined;
    const primitives = primitiveRange(match[1] ?? '', partial, includePrerelease);
    if (!primitives) return undefined;
    comparators.push(...primitives);
  }
  return comparators;
}

/** Undefined when `text` is not a range semver would accept. */
export function parseRange(text: string, options: RangeOptions = {}): VersionRange | undefined {
  const includePrerelease = options.includePrerelease ?? false;
  const alternatives: Comparator[][] = [];
  for (const alternative of text.split('||')) {
    const set = parseComparatorSet(alternative, includePrerelease);
    if (!set) return undefined;
    alternatives.push(set);
  }
  return { alternatives, includePrerelease };
}

function holds(comparator: Comparator, candidate: Version): boolean {
  const order = compareVersions(candidate, comparator.version);
  switch (comparator.operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
  }
}

function sameCore(a: Version, b: Version): boolean {
  return a.major === b.major && a.minor === b.minor && a.patch === b.patch;
}

function setAllows(set: Comparator[], candidate: Version, includePrerelease: boolean): boolean {
  if (!set.every((comparator) => holds(comparator, candidate))) return false;
  if (candidate.prerelease.length === 0 || includePrerelease) return true;
  // A prerelease only counts when the range itself names a prerelease of that exact release.
  return set.some((comparator) => comparator.version.prerelease.length > 0 && sameCore(comparator.version, candidate));
}

export function satisfies(candidate: Version, range: VersionRange): boolean {
  return range.alternatives.some((set) => setAllows(set, candidate, range.includePrerelease));
}

/** The highest of `items` whose version satisfies `range`, or undefined. */
export function highestSatisfying<T extends { version: Version }>(items: readonly T[], range: VersionRange): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (!satisfies(item.version, range)) continue;
    if (!best || compareVersions(item.version, best.version) > 0) best = item;
  }
  return best;
}
