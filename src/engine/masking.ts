// Secret masking as actions/runner does it: every registered value, and the
// encoded forms the runner's value encoders derive from it, is replaced by
// `***` wherever it occurs. One Aho–Corasick automaton finds all occurrences of
// all of them in a single pass.
//
// Almost no log line holds a secret, and the automaton (string-keyed Maps, a
// result array per call) runs at only ~20 MB/s, so a prefilter finds where a
// pattern may start and the automaton runs only on windows from such a start to
// at most the longest pattern's length past the last start nearby, so every
// occurrence lies inside one window and is found exactly as before.
//
// Both prefilters hash three code units into 21 bits (exact for ASCII; other
// code units fold, which only costs a window). When every pattern has at least
// SKIP_MIN_LENGTH code units, the prefilter skips ahead as Wu–Manber does:
// it looks at the last three code units of a window as long as the shortest
// pattern and moves on by how far that block lies from the end of any
// pattern's prefix of that length (most blocks are in none: a whole window's
// length less two). Otherwise it tests every position against the hashes of
// the patterns' first code units (patterns of one or two code units have
// tables of their own).

import { Buffer } from 'node:buffer';
import { AhoCorasick } from '@monyone/aho-corasick';

const MASK = '***';

/** The runner's TrimDoubleQuotes only applies to values longer than this. */
const QUOTED_MIN_LENGTH = 9;
/** The runner's PowerShell encoders skip sections shorter than this. */
const POWERSHELL_SECTION_MIN_LENGTH = 6;

interface Range {
  start: number;
  end: number;
}

export class SecretMasker {
  readonly #patterns = new Set<string>();
  /** Rebuilt on the next `mask` after a secret was added. */
  #matcher: AhoCorasick | undefined;
  /** Built with `#matcher`: which code positions may start a pattern. */
  #prefilter: StartFilter | undefined;

  /**
   * Registers a secret. Empty and whitespace-only values are ignored. A value
   * is registered as given, trimmed, and line by line (each line trimmed),
   * each with the encoded forms the runner registers.
   */
  add(value: string): void {
    for (const form of secretForms(value)) {
      for (const pattern of [form, ...encodedForms(form)]) this.#register(pattern);
    }
  }

  /** The number of distinct strings masked (secrets and their encoded forms). */
  get size(): number {
    return this.#patterns.size;
  }

  /** Replaces every registered string in `text` (one line or many) with `***`. */
  mask(text: string): string {
    if (text === '' || this.#patterns.size === 0) return text;
    if (this.#matcher === undefined || this.#prefilter === undefined) {
      this.#matcher = new AhoCorasick([...this.#patterns]);
      this.#prefilter = startFilter(this.#patterns);
    }
    const first = this.#prefilter.nextStart(text, 0);
    if (first === text.length) return text;
    const matches: Range[] = [];
    for (const window of windows(this.#prefilter, text, first)) {
      const slice = window.start === 0 && window.end === text.length ? text : text.slice(window.start, window.end);
      for (const { begin, end } of this.#matcher.matchInText(slice)) {
        matches.push({ start: window.start + begin, end: window.start + end });
      }
    }
    return matches.length === 0 ? text : replaceRanges(text, mergeRanges(matches));
  }

  #register(pattern: string): void {
    if (pattern === '' || this.#patterns.has(pattern)) return;
    this.#patterns.add(pattern);
    this.#matcher = undefined;
    this.#prefilter = undefined;
  }
}

/** Bits of the rolling hash: three 7-bit code units, so exact for ASCII. */
const HASH_BITS = 21;
const HASH_MASK = (1 << HASH_BITS) - 1;
/** The low 14 bits of the rolling hash: the last two code units. */
const PAIR_MASK = (1 << 14) - 1;

/** `((hash << 7) ^ code) & HASH_MASK` over the first `length` code units of `text`. */
function hashOf(text: string, length: number): number {
  let hash = 0;
  for (let i = 0; i < length; i++) hash = ((hash << 7) ^ text.charCodeAt(i)) & HASH_MASK;
  return hash;
}

/**
 * An exact negative test: a pattern can start only at positions `nextStart`
 * reaches. Called from `from`, it returns a position `p` with
 * `from <= p <= q` for the first position `q >= from` where a pattern may
 * start (`text.length` if there is none); called again from `p + 1` it so
 * reaches every possible start exactly.
 */
interface StartFilter {
  /** The longest pattern's length: how far past a possible start an occurrence may reach. */
  readonly longest: number;
  nextStart(text: string, from: number): number;
}

/** Patterns this long or longer let the prefilter skip ahead (Wu–Manber); shorter ones need every position tested. */
const SKIP_MIN_LENGTH = 5;

function startFilter(patterns: ReadonlySet<string>): StartFilter {
  let shortest = Infinity;
  for (const pattern of patterns) shortest = Math.min(shortest, pattern.length);
  return shortest >= SKIP_MIN_LENGTH ? new SkipPrefilter(patterns, shortest) : new HashPrefilter(patterns);
}

/**
 * Disjoint, ordered windows `[start, end)` of `text` covering every possible
 * occurrence; `first` is `filter.nextStart(text, 0)`.
 */
function* windows(filter: StartFilter, text: string, first: number): Generator<Range> {
  const length = text.length;
  let window: Range | undefined;
  let start = first;
  while (start < length) {
    const end = Math.min(length, start + filter.longest);
    if (window !== undefined && start <= window.end) window.end = Math.max(window.end, end);
    else {
      if (window !== undefined) yield window;
      window = { start, end };
    }
    start = filter.nextStart(text, start + 1);
  }
  if (window !== undefined) yield window;
}

/** Code units hashed into one block of the skip table. */
const BLOCK = 3;
/** The skip table holds bytes. */
const MAX_SKIP = 255;

/**
 * Wu–Manber's shift table, used only to find candidates. `m` is the shortest
 * pattern's length and every pattern is represented by its first `m` code
 * units. A block (three code units) ending at offset `j` of such a prefix
 * allows a shift of at most `m - 1 - j`; a block in no prefix allows `m - 2`.
 * Scanning looks at the block ending a window of `m` code units and moves by
 * its shift: a move never passes a window equal to some prefix (its last block
 * has shift 0), so a window whose shift is 0 is where a pattern may start.
 */
class SkipPrefilter implements StartFilter {
  readonly #shift: Uint8Array;
  readonly #shortest: number;
  readonly longest: number;

  constructor(patterns: Iterable<string>, shortest: number) {
    this.#shortest = shortest;
    const fallback = Math.min(MAX_SKIP, shortest - BLOCK + 1);
    this.#shift = new Uint8Array(1 << HASH_BITS).fill(fallback);
    let longest = 0;
    for (const pattern of patterns) {
      longest = Math.max(longest, pattern.length);
      for (let end = BLOCK - 1; end < shortest; end++) {
        const hash = blockHash(pattern, end);
        this.#shift[hash] = Math.min(this.#shift[hash]!, shortest - 1 - end);
      }
    }
    this.longest = longest;
  }

  nextStart(text: string, from: number): number {
    const length = text.length;
    const shift = this.#shift;
    const last = this.#shortest - 1;
    for (let i = from + last; i < length; ) {
      const move = shift[blockHash(text, i)]!;
      if (move === 0) return i - last;
      i += move;
    }
    return length;
  }
}

/** The hash of the three code units ending at `end`: the rolling hash `hashOf` computes, in one step. */
function blockHash(text: string, end: number): number {
  return ((text.charCodeAt(end - 2) << 14) ^ (text.charCodeAt(end - 1) << 7) ^ text.charCodeAt(end)) & HASH_MASK;
}

/** Tests every position: the patterns' first three code units (or their one or two) hash into bit tables. */
class HashPrefilter implements StartFilter {
  /** Bit `hash` set: some pattern of three or more code units starts with code units of that hash. */
  readonly #triples = new Uint32Array((1 << HASH_BITS) >>> 5);
  /** Index `hash & PAIR_MASK` set: a pattern of exactly two code units hashes so; undefined if none. */
  readonly #pairs: Uint8Array | undefined;
  /** Index a code unit: a pattern of exactly one code unit is that; undefined if none. */
  readonly #singles: Uint8Array | undefined;
  readonly longest: number;

  constructor(patterns: Iterable<string>) {
    let longest = 0;
    let pairs: Uint8Array | undefined;
    let singles: Uint8Array | undefined;
    for (const pattern of patterns) {
      longest = Math.max(longest, pattern.length);
      if (pattern.length >= 3) {
        const hash = hashOf(pattern, 3);
        this.#triples[hash >>> 5] = (this.#triples[hash >>> 5] ?? 0) | (1 << (hash & 31));
      } else if (pattern.length === 2) {
        pairs ??= new Uint8Array(PAIR_MASK + 1);
        pairs[hashOf(pattern, 2) & PAIR_MASK] = 1;
      } else if (pattern.length === 1) {
        singles ??= new Uint8Array(0x10000);
        singles[pattern.charCodeAt(0)] = 1;
      }
    }
    this.longest = longest;
    this.#pairs = pairs;
    this.#singles = singles;
  }

  nextStart(text: string, from: number): number {
    const length = text.length;
    const triples = this.#triples;
    const pairs = this.#pairs;
    const singles = this.#singles;
    if (pairs === undefined && singles === undefined) {
      // The hot loop: only patterns of three or more code units.
      if (length - from < 3) return length;
      let hash = ((text.charCodeAt(from) << 7) ^ text.charCodeAt(from + 1)) & HASH_MASK;
      for (let i = from + 2; i < length; i++) {
        hash = ((hash << 7) ^ text.charCodeAt(i)) & HASH_MASK;
        if ((triples[hash >>> 5]! & (1 << (hash & 31))) !== 0) return i - 2;
      }
      return length;
    }
    let hash = 0;
    for (let i = from; i < length; i++) {
      const code = text.charCodeAt(i);
      hash = ((hash << 7) ^ code) & HASH_MASK;
      // A hit reports its earliest candidate start, never before `from`: that a
      // triple or pair from before `from` spans into here is harmless, as the
      // window is only made wider by starting early, never narrower.
      if (singles !== undefined && singles[code] === 1) return Math.max(from, i - 2);
      if (pairs !== undefined && i - from >= 1 && pairs[hash & PAIR_MASK] === 1) return Math.max(from, i - 2);
      if (i - from >= 2 && (triples[hash >>> 5]! & (1 << (hash & 31))) !== 0) return i - 2;
    }
    return length;
  }
}

/**
 * The runner registers a job secret trimmed and each of its lines trimmed, and
 * an `::add-mask::` value as given; registering all three covers both.
 */
function secretForms(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed === '') return [];
  const lines = /[\r\n]/.test(value) ? value.split(/[\r\n]/).map((line) => line.trim()) : [];
  return [...new Set([value, trimmed, ...lines])].filter((form) => form !== '');
}

/** The runner's value encoders (HostContext registers all of these). */
function encodedForms(value: string): string[] {
  return [
    base64(value, 0),
    base64(value, 1),
    base64(value, 2),
    value.replaceAll('"', '\\"'),
    value.replaceAll("'", "''"),
    jsonStringEscape(value),
    uriDataEscape(value),
    xmlDataEscape(value),
    trimDoubleQuotes(value),
    powerShellLeadingSection(value),
    powerShellTrailingSection(value),
  ];
}

/**
 * Base64 of the UTF-8 bytes, also with the first one or two bytes dropped:
 * a secret encoded after a prefix (`base64(user:secret)`) lines up with one
 * of the three.
 */
function base64(value: string, droppedBytes: number): string {
  const bytes = Buffer.from(value, 'utf8');
  return (bytes.length > droppedBytes ? bytes.subarray(droppedBytes) : bytes).toString('base64');
}

/** Newtonsoft's `JsonConvert.ToString` without the surrounding quotes. */
function jsonStringEscape(value: string): string {
  let escaped = '';
  for (const char of value) escaped += jsonEscapeOf(char) ?? char;
  return escaped;
}

const JSON_SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function jsonEscapeOf(char: string): string | undefined {
  const short = JSON_SHORT_ESCAPES[char];
  if (short !== undefined) return short;
  const code = char.charCodeAt(0);
  const needsUnicodeEscape = code < 0x20 || code === 0x85 || code === 0x2028 || code === 0x2029;
  return needsUnicodeEscape ? `\\u${code.toString(16).padStart(4, '0')}` : undefined;
}

/** .NET `Uri.EscapeDataString`: all but RFC 3986 unreserved characters, from the UTF-8 bytes. */
function uriDataEscape(value: string): string {
  let escaped = '';
  for (const byte of new TextEncoder().encode(value)) {
    const char = String.fromCharCode(byte);
    escaped += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped;
}

const XML_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '&': '&amp;' };

function xmlDataEscape(value: string): string {
  return value.replace(/[<>"'&]/g, (char) => XML_ESCAPES[char] ?? char);
}

/** A quoted value without its quotes (shells strip them). */
function trimDoubleQuotes(value: string): string {
  const quoted = value.length >= QUOTED_MIN_LENGTH && value.startsWith('"') && value.endsWith('"');
  return quoted ? value.slice(1, -1) : '';
}

// PowerShell can print a secret holding `&` in two pieces around colour codes:
// up to the last `&` (or through the first `&+`), and the rest (after `&+`, the
// coloured character is skipped too).

function powerShellLeadingSection(value: string): string {
  if (!value.includes('&')) return '';
  const colour = value.indexOf('&+');
  const section = colour >= 0 ? value.slice(0, colour + 2) : value.slice(0, value.lastIndexOf('&') + 1);
  return section.length >= POWERSHELL_SECTION_MIN_LENGTH ? section : '';
}

function powerShellTrailingSection(value: string): string {
  if (!value.includes('&')) return '';
  const colour = value.indexOf('&+');
  const section = colour >= 0 ? value.slice(colour + 3) : value.slice(value.lastIndexOf('&') + 1);
  return section.length >= POWERSHELL_SECTION_MIN_LENGTH ? section : '';
}

/** The union of the ranges, ordered; touching ranges merge into one, as in the runner. */
function mergeRanges(ranges: Range[]): Range[] {
  const merged: Range[] = [];
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

function replaceRanges(text: string, ranges: readonly Range[]): string {
  let result = '';
  let position = 0;
  for (const { start, end } of ranges) {
    result += text.slice(position, start) + MASK;
    position = end;
  }
  return result + text.slice(position);
}
