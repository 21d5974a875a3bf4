// Secret masking as actions/runner does it: every registered value, and the
// encoded forms the runner's value encoders derive from it, is replaced by
// `***` wherever it occurs. One Aho–Corasick automaton finds all occurrences of
// all of them in a single pass.

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
    this.#matcher ??= new AhoCorasick([...this.#patterns]);
    const matches = this.#matcher.matchInText(text).map(({ begin, end }) => ({ start: begin, end }));
    return matches.length === 0 ? text : replaceRanges(text, mergeRanges(matches));
  }

  #register(pattern: string): void {
    if (pattern === '' || this.#patterns.has(pattern)) return;
    this.#patterns.add(pattern);
    this.#matcher = undefined;
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
