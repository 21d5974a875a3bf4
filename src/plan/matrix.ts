// Matrix expansion and strategy settings, following GitHub's documented rules
// ("Running variations of jobs in a workflow") and, where the docs are silent,
// the behaviour of GitHub's own workflow parser (MatrixBuilder in actions/runner).
//
// In short: vectors combine into a cartesian product (first vector varies
// slowest); `exclude` drops combinations; then each `include` entry either adds
// its extra keys to every remaining combination its matrix keys match, or, when
// it matches none, becomes a combination of its own. Values are compared the
// way GitHub's expression `==` compares them, leaf by leaf.

import type { MatrixLeg } from './types.ts';

/** GitHub refuses a matrix that produces more jobs than this in one run. */
export const MAX_MATRIX_JOBS = 256;

/** Beyond this many raw combinations we stop enumerating and report the size instead. */
const MAX_COMBINATIONS_TO_INSPECT = 1_000_000;

/** GitHub cuts job display names to this many characters, ending them with `...`. */
const MAX_DISPLAY_NAME_LENGTH = 100;

export interface MatrixExpansion {
  /** One entry per job, in the order GitHub creates them. Empty when there are errors. */
  legs: MatrixLeg[];
  /**
   * For each leg, the values GitHub shows in the job's display name: the
   * combination before `include` added keys to it (an `include` entry that
   * became a job of its own shows all its values). Pass these to
   * `matrixDisplayName` to name jobs exactly as GitHub does.
   */
  nameLegs: MatrixLeg[];
  errors: string[];
}

export function expandMatrix(config: unknown): MatrixExpansion {
  const parsed = parseMatrixConfig(config);
  if (parsed.errors.length > 0) return failed(parsed.errors);

  const combinationCount = countCombinations(parsed.vectors);
  if (combinationCount > MAX_COMBINATIONS_TO_INSPECT) {
    return failed([tooManyJobsMessage(`its vectors combine into ${combinationCount} combinations before exclude`)]);
  }
  const jobs = collectJobs(parsed, combinationCount);
  if (jobs.count > MAX_MATRIX_JOBS) return failed([tooManyJobsMessage(`this one produces ${jobs.count}`)]);
  return { legs: jobs.legs, nameLegs: jobs.nameLegs, errors: [] };
}

/**
 * The name GitHub gives a matrix job whose `name:` does not use the matrix:
 * `build (3.1, ubuntu-latest)`. Values appear in key order; objects and arrays
 * contribute their scalar values depth first; null and empty strings are left
 * out; numbers print as .NET's "G15" format does (so YAML `3.10` shows `3.1`).
 */
export function matrixDisplayName(jobName: string, leg: MatrixLeg | null): string {
  const segments = leg === null ? [] : displaySegments(leg);
  const name = segments.length === 0 ? jobName : `${jobName} (${segments.join(', ')})`;
  if (name.length <= MAX_DISPLAY_NAME_LENGTH) return name;
  return `${name.slice(0, MAX_DISPLAY_NAME_LENGTH - 3)}...`;
}

export interface StrategySettings {
  failFast: boolean;
  /** null: no limit beyond runner availability. */
  maxParallel: number | null;
}

/** What a job's strategy means when `fail-fast` and `max-parallel` are not given. */
export function strategyDefaults(): StrategySettings {
  return { failFast: true, maxParallel: null };
}

/**
 * Reads an evaluated `strategy.fail-fast`: a boolean, or undefined/null when
 * not given (default true). Anything else, strings included, returns an error
 * message: GitHub's parser accepts only a real boolean here.
 */
export function parseFailFast(value: unknown): boolean | string {
  if (value === undefined || value === null) return strategyDefaults().failFast;
  if (typeof value === 'boolean') return value;
  return `strategy.fail-fast must be true or false; got ${describeValue(value)}${fromJsonHint(value, 'boolean')}`;
}

/**
 * Reads an evaluated `strategy.max-parallel`: a number, or undefined/null when
 * not given. Returns the limit, null for no limit, or an error message (a
 * string). Like GitHub, fractions are truncated and a limit below 1 means no limit.
 */
export function parseMaxParallel(value: unknown): number | null | string {
  if (value === undefined || value === null) return strategyDefaults().maxParallel;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    return `strategy.max-parallel must be a number; got ${describeValue(value)}${fromJsonHint(value, 'number')}`;
  }
  const limit = Math.trunc(value);
  return Number.isFinite(limit) && limit >= 1 ? limit : null;
}

/** The `strategy` context GitHub gives each matrix job. */
export function strategyContext(
  settings: StrategySettings,
  jobIndex: number,
  jobTotal: number,
): { 'fail-fast': boolean; 'job-index': number; 'job-total': number; 'max-parallel': number } {
  return {
    'fail-fast': settings.failFast,
    'job-index': jobIndex,
    'job-total': jobTotal,
    'max-parallel': settings.maxParallel ?? jobTotal,
  };
}

// ---------------------------------------------------------------------------
// Reading the matrix mapping

interface Vector {
  name: string;
  values: unknown[];
}

interface Leaf {
  path: (string | number)[];
  value: Scalar;
}

type Scalar = string | number | boolean | null;

interface IncludeEntry {
  /** The entry's keys that name a vector: they decide which combinations it extends. */
  matrixValues: MatrixLeg;
  /** The other keys: the values it adds. */
  extras: MatrixLeg;
  leaves: Leaf[];
}

interface ParsedMatrix {
  vectors: Vector[];
  includes: IncludeEntry[];
  excludes: Leaf[][];
  errors: string[];
}

function parseMatrixConfig(config: unknown): ParsedMatrix {
  const parsed: ParsedMatrix = { vectors: [], includes: [], excludes: [], errors: [] };
  if (!isPlainObject(config)) {
    parsed.errors.push(`strategy.matrix must be a mapping of vectors (with optional include and exclude); got ${describeValue(config)}`);
    return parsed;
  }

  for (const [key, value] of Object.entries(config)) {
    if (key === 'include' || key === 'exclude') continue;
    const vector = readVector(key, value, parsed.vectors);
    if (typeof vector === 'string') parsed.errors.push(vector);
    else parsed.vectors.push(vector);
  }

  const includeEntries = readEntries('include', config['include'], parsed.errors);
  const excludeEntries = readEntries('exclude', config['exclude'], parsed.errors);
  const vectorNames = parsed.vectors.map((vector) => vector.name);
  parsed.includes = includeEntries.map((entry) => splitIncludeEntry(entry, vectorNames));
  parsed.excludes = excludeEntries.map((entry) => filterLeaves(entry));
  parsed.errors.push(...excludeKeyErrors(excludeEntries, vectorNames));

  const definesVectors = Object.keys(config).some((key) => key !== 'include' && key !== 'exclude');
  if (!definesVectors && includeEntries.length === 0 && parsed.errors.length === 0) {
    parsed.errors.push('Matrix must define at least one vector (or a non-empty include list)');
  }
  return parsed;
}

/** The vector, or an error message. */
function readVector(name: string, value: unknown, earlier: Vector[]): Vector | string {
  const clash = earlier.find((vector) => sameKey(vector.name, name));
  if (clash) return `Matrix vector '${name}' is defined twice (as '${clash.name}'); matrix keys ignore case`;
  if (!Array.isArray(value)) return `Matrix vector '${name}' must be a list of values; got ${describeValue(value)}`;
  if (value.length === 0) return `Matrix vector '${name}' does not contain any values`;
  return { name, values: value };
}

/** Reads `include` or `exclude`: absent, or a list of non-empty mappings. */
function readEntries(listName: 'include' | 'exclude', value: unknown, errors: string[]): MatrixLeg[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push(`Matrix ${listName} must be a list of mappings; got ${describeValue(value)}`);
    return [];
  }
  const entries: MatrixLeg[] = [];
  value.forEach((entry: unknown, index) => {
    const label = `Matrix ${listName} entry ${index + 1}`;
    if (!isPlainObject(entry)) errors.push(`${label} must be a mapping of keys to values; got ${describeValue(entry)}`);
    else if (Object.keys(entry).length === 0) errors.push(`${label} is empty; give it at least one key`);
    else entries.push(entry);
  });
  return entries;
}

function excludeKeyErrors(excludes: MatrixLeg[], vectorNames: string[]): string[] {
  const unknownKeys = new Set(
    excludes.flatMap((exclude) => Object.keys(exclude).filter((key) => !vectorNames.some((name) => sameKey(name, key)))),
  );
  const vectors = vectorNames.length > 0 ? vectorNames.map((name) => `'${name}'`).join(', ') : 'none';
  return [...unknownKeys].map((key) => `Matrix exclude key '${key}' does not match any key within the matrix (vectors: ${vectors})`);
}

function splitIncludeEntry(entry: MatrixLeg, vectorNames: string[]): IncludeEntry {
  const matrixValues: MatrixLeg = {};
  const extras: MatrixLeg = {};
  for (const [key, value] of Object.entries(entry)) {
    const target = vectorNames.some((name) => sameKey(name, key)) ? matrixValues : extras;
    setOwn(target, key, value);
  }
  return { matrixValues, extras, leaves: filterLeaves(matrixValues) };
}

// ---------------------------------------------------------------------------
// Combining

interface CollectedJobs {
  /** Every job the matrix produces; legs and nameLegs stop at MAX_MATRIX_JOBS. */
  count: number;
  legs: MatrixLeg[];
  nameLegs: MatrixLeg[];
}

function collectJobs({ vectors, includes, excludes }: ParsedMatrix, combinationCount: number): CollectedJobs {
  const jobs: CollectedJobs = { count: 0, legs: [], nameLegs: [] };
  const keep = (leg: MatrixLeg, nameLeg: MatrixLeg): void => {
    jobs.count += 1;
    if (jobs.legs.length >= MAX_MATRIX_JOBS) return;
    jobs.legs.push(leg);
    jobs.nameLegs.push(nameLeg);
  };

  const includeMatched = includes.map(() => false);
  for (let index = 0; index < combinationCount; index++) {
    const combination = combinationAt(vectors, index, combinationCount);
    if (excludes.some((exclude) => matchesFilter(combination, exclude))) continue;
    keep(withIncludedExtras(combination, includes, includeMatched), combination);
  }
  includes.forEach((include, position) => {
    if (includeMatched[position]) return;
    const leg = { ...include.matrixValues, ...include.extras };
    keep(leg, leg);
  });
  return jobs;
}

function countCombinations(vectors: Vector[]): number {
  return vectors.length === 0 ? 0 : vectors.reduce((size, vector) => size * vector.values.length, 1);
}

function combinationAt(vectors: Vector[], index: number, combinationCount: number): MatrixLeg {
  const combination: MatrixLeg = {};
  let blockSize = combinationCount;
  for (const { name, values } of vectors) {
    blockSize /= values.length;
    setOwn(combination, name, values[Math.floor(index / blockSize) % values.length]);
  }
  return combination;
}

/**
 * Adds the extras of every include entry that matches the combination. A later
 * entry's extra overwrites an earlier one's; the original values are never
 * touched because matching entries agree with them on every vector key.
 */
function withIncludedExtras(combination: MatrixLeg, includes: IncludeEntry[], includeMatched: boolean[]): MatrixLeg {
  const extras: MatrixLeg = {};
  includes.forEach((include, position) => {
    if (!matchesFilter(combination, include.leaves)) return;
    includeMatched[position] = true;
    for (const [key, value] of Object.entries(include.extras)) setIgnoringCase(extras, key, value);
  });
  return { ...combination, ...extras };
}

/** A filter matches when every scalar it holds equals the value at the same path in the combination. */
function matchesFilter(combination: MatrixLeg, leaves: Leaf[]): boolean {
  return leaves.every((leaf) => looselyEqual(valueAtPath(combination, leaf.path), leaf.value));
}

function filterLeaves(value: unknown, path: (string | number)[] = []): Leaf[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => filterLeaves(item, [...path, index]));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([key, item]) => filterLeaves(item, [...path, key]));
  return [{ path, value: toScalar(value) }];
}

function valueAtPath(root: unknown, path: (string | number)[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof segment === 'number') current = Array.isArray(current) ? current[segment] : null;
    else current = isPlainObject(current) ? propertyIgnoringCase(current, segment) : null;
  }
  return current ?? null;
}

// ---------------------------------------------------------------------------
// GitHub expression equality (`==`): case-insensitive strings, and operands of
// different types compared as numbers. Objects and arrays equal nothing here,
// since a filter only ever holds scalars.

function looselyEqual(left: unknown, right: Scalar): boolean {
  if (typeof left === 'object' && left !== null) return false;
  const leftScalar = toScalar(left);
  if (typeof leftScalar === 'string' && typeof right === 'string') {
    return leftScalar.length === right.length && leftScalar.toUpperCase() === right.toUpperCase();
  }
  if (typeof leftScalar === typeof right) return leftScalar === right;
  return toNumber(leftScalar) === toNumber(right);
}

function toNumber(value: Scalar): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return parseNumberLikeGitHub(value);
}

function parseNumberLikeGitHub(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  if (/^0x[0-9a-f]+$/i.test(trimmed)) return Number.parseInt(trimmed.slice(2), 16);
  if (/^0o[0-7]+$/i.test(trimmed)) return Number.parseInt(trimmed.slice(2), 8);
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return Number(trimmed);
  return Number.NaN;
}

// ---------------------------------------------------------------------------
// Display names

function displaySegments(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown) => displaySegments(item));
  if (isPlainObject(value)) return Object.values(value).flatMap((item) => displaySegments(item));
  if (typeof value === 'boolean') return [value ? 'true' : 'false'];
  if (typeof value === 'number') return [formatNumberLikeDotNet(value)];
  if (typeof value === 'string' && value !== '') return [value];
  return [];
}

/** .NET's `ToString("G15")`: 15 significant digits, scientific notation outside 1e-5 <= |n| < 1e15. */
function formatNumberLikeDotNet(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const rounded = Number(value.toPrecision(15));
  const [mantissa = '0', exponentText = '0'] = rounded.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent > -5 && exponent < 15) return String(rounded);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}E${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------
// Small helpers

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toScalar(value: unknown): Scalar {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}

function sameKey(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}

function findKeyIgnoringCase(record: Record<string, unknown>, key: string): string | undefined {
  return Object.keys(record).find((existing) => sameKey(existing, key));
}

function propertyIgnoringCase(record: Record<string, unknown>, key: string): unknown {
  const existing = findKeyIgnoringCase(record, key);
  return existing === undefined ? null : record[existing];
}

/** Sets a key the way GitHub's case-insensitive dictionaries do: an existing key keeps its spelling and position. */
function setIgnoringCase(record: MatrixLeg, key: string, value: unknown): void {
  setOwn(record, findKeyIgnoringCase(record, key) ?? key, value);
}

/** Plain assignment would treat a key named `__proto__` (possible via fromJSON) as the prototype. */
function setOwn(record: MatrixLeg, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string '${value}'`;
  return `${typeof value} ${String(value)}`;
}

/** GitHub never converts a string here; when fromJSON() would give the right type, say so. */
function fromJsonHint(value: unknown, wanted: 'boolean' | 'number'): string {
  if (typeof value !== 'string' || jsonTypeOf(value) !== wanted) return '';
  return " (GitHub does not convert strings here; wrap the expression in fromJSON(), e.g. ${{ fromJSON(inputs.value) }})";
}

function jsonTypeOf(text: string): string | undefined {
  try {
    return typeof JSON.parse(text);
  } catch {
    return undefined;
  }
}

function tooManyJobsMessage(detail: string): string {
  return `a matrix may produce at most ${MAX_MATRIX_JOBS} jobs per workflow run; ${detail}`;
}

function failed(errors: string[]): MatrixExpansion {
  return { legs: [], nameLegs: [], errors };
}
