// A job's log as the viewer needs it: numbered lines sorted into step sections, `::group::` sections that
// fold, and the rows that are visible for a given set of open sections. Pure and incremental (lines are
// appended as they stream in) so it stays fast on 100,000 lines; no React and no DOM here.

export interface IncomingLine {
  step: number | null;
  text: string;
  stream?: string;
  at?: string;
}

export type LineKind = 'text' | 'group' | 'endgroup' | 'error' | 'warning' | 'notice' | 'command' | 'debug';

export interface LogLine {
  /** 1-based number in the whole job log: the #L<n> anchor. */
  n: number;
  step: number | null;
  /** The text as printed (ANSI escapes kept), without a `##[...]` marker. */
  text: string;
  /** The text without ANSI escapes, lower-cased, for search. */
  searchText: string;
  at: string;
  stream: string;
  kind: LineKind;
  /** Id of the group this line belongs to (the header line's index), or -1. */
  group: number;
}

export type SectionKey = number | null;

export type LogRow =
  | { kind: 'section'; step: SectionKey; lineCount: number }
  | { kind: 'line'; index: number; inGroup: boolean };

// ANSI CSI and OSC sequences: ESC [ params final, ESC ] ... BEL.
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const MARKERS: [RegExp, LineKind][] = [
  [/^(?:##\[group\]|::group::)/, 'group'],
  [/^(?:##\[endgroup\]|::endgroup::)/, 'endgroup'],
  [/^(?:##\[error\]|::error(?: [^:]*)?::)/, 'error'],
  [/^(?:##\[warning\]|::warning(?: [^:]*)?::)/, 'warning'],
  [/^(?:##\[notice\]|::notice(?: [^:]*)?::)/, 'notice'],
  [/^(?:##\[command\])/, 'command'],
  [/^(?:##\[debug\]|::debug::)/, 'debug'],
];

function classify(raw: string): { kind: LineKind; text: string } {
  if (raw.startsWith('##[') || raw.startsWith('::')) {
    for (const [pattern, kind] of MARKERS) {
      const match = pattern.exec(raw);
      if (match) return { kind, text: raw.slice(match[0].length) };
    }
  }
  return { kind: 'text', text: raw };
}

export class LogModel {
  readonly lines: LogLine[] = [];
  /** Line indices per step section, in arrival order. */
  readonly sections = new Map<SectionKey, number[]>();
  /** Number of lines per group, keyed by the group header's index. */
  readonly groupSizes = new Map<number, number>();
  private readonly openGroup = new Map<SectionKey, number>();

  append(batch: readonly IncomingLine[]): void {
    for (const incoming of batch) {
      const { kind, text } = classify(incoming.text);
      const index = this.lines.length;
      const section = incoming.step;
      const current = this.openGroup.get(section) ?? -1;
      let group = current;
      if (kind === 'group') {
        group = index;
        this.openGroup.set(section, index);
        this.groupSizes.set(index, 0);
      } else if (kind === 'endgroup') {
        this.openGroup.delete(section);
      } else if (current >= 0) {
        this.groupSizes.set(current, (this.groupSizes.get(current) ?? 0) + 1);
      }
      this.lines.push({
        n: index + 1,
        step: section,
        text,
        searchText: stripAnsi(text).toLowerCase(),
        at: incoming.at ?? '',
        stream: incoming.stream ?? 'stdout',
        kind,
        group: kind === 'endgroup' ? current : group,
      });
      let list = this.sections.get(section);
      if (!list) {
        list = [];
        this.sections.set(section, list);
      }
      list.push(index);
    }
  }

  /** Index of the line numbered `n`, or -1. */
  indexOfLine(n: number): number {
    return n >= 1 && n <= this.lines.length ? n - 1 : -1;
  }

  /** Indices of lines whose text contains `query` (case-insensitive). */
  search(query: string): number[] {
    const needle = query.toLowerCase();
    if (!needle) return [];
    const hits: number[] = [];
    for (let index = 0; index < this.lines.length; index++) {
      const line = this.lines[index];
      if (line && line.kind !== 'endgroup' && line.searchText.includes(needle)) hits.push(index);
    }
    return hits;
  }

  /**
   * The rows to show: one header per section in `order` (sections only seen in the log come after, in
   * their order), then, for an expanded section, its lines with closed groups folded to their header.
   */
  rows(order: readonly SectionKey[], expanded: ReadonlySet<SectionKey>, openGroups: ReadonlySet<number>): LogRow[] {
    const rows: LogRow[] = [];
    const seen = new Set<SectionKey>();
    const keys = [...order, ...[...this.sections.keys()].filter((key) => !order.includes(key))];
    for (const key of keys) {
      if (seen.has(key)) continue;
      seen.add(key);
      const indices = this.sections.get(key) ?? [];
      if (key === null && indices.length === 0) continue;
      rows.push({ kind: 'section', step: key, lineCount: indices.length });
      if (!expanded.has(key)) continue;
      for (const index of indices) {
        const line = this.lines[index];
        if (!line || line.kind === 'endgroup') continue;
        if (line.kind === 'group') {
          rows.push({ kind: 'line', index, inGroup: false });
          continue;
        }
        if (line.group >= 0 && !openGroups.has(line.group)) continue;
        rows.push({ kind: 'line', index, inGroup: line.group >= 0 });
      }
    }
    return rows;
  }
}
