// ANSI escape sequences, written directly: SGR colours, the two cursor movements
// the live view needs, and measuring/cleaning text that may contain escapes.

export type Paint = (text: string) => string;

export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  blue: Paint;
  cyan: Paint;
  /** A distinct, stable colour per job, picked by the job's ordinal. */
  job(ordinal: number): Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\x1b[${open}m${text}\x1b[${close}m`;

const unchanged: Paint = (text) => text;

// Red and green are left out: they mean failure and success next to a prefix.
const jobColourCodes = [36, 35, 34, 33, 96, 95, 94, 93];

export function createPalette(color: boolean): Palette {
  if (!color) {
    return { bold: unchanged, dim: unchanged, red: unchanged, green: unchanged, yellow: unchanged, blue: unchanged, cyan: unchanged, job: () => unchanged };
  }
  const jobPaints = jobColourCodes.map((code) => sgr(code, 39));
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    cyan: sgr(36, 39),
    job: (ordinal) => jobPaints[ordinal % jobPaints.length] ?? unchanged,
  };
}

export const cursorUp = (lines: number): string => `\x1b[${lines}A`;
export const eraseToEndOfScreen = '\x1b[J';
export const resetStyle = '\x1b[0m';

/* eslint-disable no-control-regex -- escape and control characters are what these patterns are about */
// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), charset selection (ESC ( B) and other two-byte escapes.
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]+[0-~]|[@-Z\\-_])/g;
const SGR_SEQUENCE = /^\x1b\[[0-9;:]*m$/;
// Every C0 control character but tab (expanded separately), and DEL.
const CONTROL_CHARACTERS = /[\x00-\x08\x0a-\x1f\x7f]/g;
/* eslint-enable no-control-regex */

export function stripAnsi(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '');
}

/**
 * Makes a program's output line safe to place inside a redrawn area: only what
 * a terminal would finally show after carriage returns is kept, tabs become
 * spaces, and every escape sequence except colours (when kept) is removed, so a
 * line can neither move the cursor nor leave a colour switched on.
 */
export function sanitizeLine(line: string, keepColour: boolean): string {
  const withoutTrailingCr = line.replace(/[\r\n]+$/, '');
  const shown = withoutTrailingCr.slice(withoutTrailingCr.lastIndexOf('\r') + 1);
  let result = '';
  let column = 0;
  let keptColour = false;
  let lastIndex = 0;
  const appendText = (text: string) => {
    for (const char of text.replace(CONTROL_CHARACTERS, '')) {
      if (char === '\t') {
        const spaces = 8 - (column % 8);
        result += ' '.repeat(spaces);
        column += spaces;
      } else {
        result += char;
        column += charWidth(char.codePointAt(0) ?? 0);
      }
    }
  };
  for (const match of shown.matchAll(ESCAPE_SEQUENCE)) {
    appendText(shown.slice(lastIndex, match.index));
    if (keepColour && SGR_SEQUENCE.test(match[0])) {
      result += match[0];
      keptColour = true;
    }
    lastIndex = match.index + match[0].length;
  }
  appendText(shown.slice(lastIndex));
  return keptColour ? result + resetStyle : result;
}

/** Columns the text occupies on a terminal, ignoring escape sequences. */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) width += charWidth(char.codePointAt(0) ?? 0);
  return width;
}

/** Cuts text to at most `width` columns, ending in `…` when cut; escapes are kept and closed. */
export function truncate(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  let result = '';
  let used = 0;
  let sawEscape = false;
  let lastIndex = 0;
  const appendText = (piece: string): boolean => {
    for (const char of piece) {
      const charColumns = charWidth(char.codePointAt(0) ?? 0);
      if (used + charColumns > width - 1) return false;
      result += char;
      used += charColumns;
    }
    return true;
  };
  for (const match of text.matchAll(ESCAPE_SEQUENCE)) {
    if (!appendText(text.slice(lastIndex, match.index))) return finishTruncated(result, sawEscape);
    result += match[0];
    sawEscape = true;
    lastIndex = match.index + match[0].length;
  }
  appendText(text.slice(lastIndex));
  return finishTruncated(result, sawEscape);
}

function finishTruncated(text: string, sawEscape: boolean): string {
  return sawEscape ? `${text}…${resetStyle}` : `${text}…`;
}

export function padEndVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

export function padStartVisible(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visibleWidth(text))) + text;
}

// East Asian wide and emoji blocks take two columns; combining marks and variation selectors none.
const wideRanges: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];
const zeroWidthRanges: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x200b, 0x200f],
  [0xfe00, 0xfe0f],
];

function charWidth(codePoint: number): number {
  const within = ([from, to]: readonly [number, number]) => codePoint >= from && codePoint <= to;
  if (zeroWidthRanges.some(within)) return 0;
  return wideRanges.some(within) ? 2 : 1;
}
