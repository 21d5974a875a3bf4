// Secret masking as actions/runner does it: every registered value, and the
// encoded forms the runner's value encoders derive from it, is replaced by
// `***` wherever it occurs. One Aho–Corasick automaton finds all occurrences of
// all of them in a single pass.
//
// Almost no log line holds a secret, and the automaton (string-keyed Maps, a
// result array per call) runs at only ~20 MB/s, so a prefilter runs first: one
// pass over the char codes with a rolling hash of the last three code units,
// looked up in a bitset holding the hashes of every pattern's first three code
// units (patterns of one or two code units have tables of their own). The same
// hash of the same code units gives the same bit, so a text whose bits are all
// clear provably holds no pattern and is returned untouched. Where a bit is set,
// a pattern may start there; the automaton then runs only on windows from such a
// start to at most the longest pattern's length past the last start nearby, so
// every occurrence lies inside one window and is found exactly as before.

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
  #prefilter: Prefilter | undefined;

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
      this.#prefilter = new Prefilter(this.#patterns);
    }
    const first = this.#prefilter.nextStart(text, 0);
    if (first === text.length) return text;
    const matches: Range[] = [];
    for (const window of this.#prefilter.windows(text, first)) {
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
 * An exact negative test: `windows(text)` yields every stretch of `text` in
 * which a pattern may occur, and an occurrence can lie nowhere else. Hashes
 * collide (always for non-ASCII, which is folded), which only costs a window.
 */
class Prefilter {
  /** Bit `hash` set: some pattern of three or more code units starts with code units of that hash. */
  readonly #triples = new Uint32Array((1 << HASH_BITS) >>> 5);
  /** Index `hash & PAIR_MASK` set: a pattern of exactly two code units hashes so; undefined if none. */
  readonly #pairs: Uint8Array | undefined;
  /** Index a code unit: a pattern of exactly one code unit is that; undefined if none. */
  readonly #singles: Uint8Array | undefined;
  readonly #longest: number;

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
    this.#longest = longest;
    this.#pairs = pairs;
    this.#singles = singles;
  }

  /**
   * Disjoint, ordered windows `[start, end)` of `text` covering every possible
   * occurrence; `first` is `nextStart(text, 0)`.
   */
  *windows(text: string, first: number): Generator<Range> {
    const length = text.length;
    let window: Range | undefined;
    let start = first;
    while (start < length) {
      const end = Math.min(length, start + this.#longest);
      if (window !== undefined && start <= window.end) window.end = Math.max(window.end, end);
      else {
        if (window !== undefined) yield window;
        window = { start, end };
      }
      start = this.nextStart(text, start + 1);
    }
    if (window !== undefined) yield window;
  }

  /**
   * A position `p` with `from <= p <= q` for the first position `q >= from`
   * where a pattern may start; `text.length` if there is none. Called again from
   * `p + 1` it so reaches every possible start `q` exactly.
   */
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
