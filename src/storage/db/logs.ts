// Job logs as append-only chunks of lines, with the annotations and summaries steps wrote.

import type { Db } from './database.ts';
import type { AnnotationRecord, LogLine } from './records.ts';

type StoredLine = Omit<LogLine, 'line'>;

export class LogStore {
  constructor(private readonly db: Db) {}

  /** Appends lines numbered from `firstLine`; a chunk is never rewritten. */
  async append(jobRowId: number, firstLine: number, lines: StoredLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.db
      .insertInto('logChunks')
      .values({ jobRowId, firstLine, lineCount: lines.length, lines: JSON.stringify(lines.map((l) => [l.step, l.stream, l.at, l.text])) })
      .execute();
  }

  /** Lines after `afterLine` (0: from the start), in order. */
  async lines(jobRowId: number, afterLine = 0): Promise<LogLine[]> {
    const chunks = await this.db
      .selectFrom('logChunks')
      .select(['firstLine', 'lineCount', 'lines'])
      .where('jobRowId', '=', jobRowId)
      .where((eb) => eb(eb('firstLine', '+', eb.ref('lineCount')), '>', afterLine + 1))
      .orderBy('firstLine')
      .execute();
    const out: LogLine[] = [];
    for (const chunk of chunks) {
      const lines = JSON.parse(chunk.lines) as [number | null, LogLine['stream'], string, string][];
      lines.forEach(([step, stream, at, text], index) => {
        const line = chunk.firstLine + index;
        if (line > afterLine) out.push({ line, step, stream, at, text });
      });
    }
    return out;
  }

  /** The number of the last stored line (0 when none). */
  async lastLine(jobRowId: number): Promise<number> {
    const row = await this.db
      .selectFrom('logChunks')
      .select(['firstLine', 'lineCount'])
      .where('jobRowId', '=', jobRowId)
      .orderBy('firstLine', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? row.firstLine + row.lineCount - 1 : 0;
  }

  async addAnnotation(jobRowId: number, step: number, annotation: Omit<AnnotationRecord, 'job' | 'step'>): Promise<void> {
    const { level, message, ...location } = annotation;
    await this.db.insertInto('annotations').values({ jobRowId, step, level, message, location: JSON.stringify(location) }).execute();
  }

  async addSummary(jobRowId: number, step: number, markdown: string): Promise<void> {
    await this.db.insertInto('summaries').values({ jobRowId, step, markdown }).execute();
  }

  async annotations(jobRowIds: number[]): Promise<(AnnotationRecord & { jobRowId: number })[]> {
    if (jobRowIds.length === 0) return [];
    const rows = await this.db.selectFrom('annotations').selectAll().where('jobRowId', 'in', jobRowIds).orderBy('id').execute();
    return rows.map((row) => ({ jobRowId: row.jobRowId, job: '', step: row.step, level: row.level, message: row.message, ...(JSON.parse(row.location) as object) }));
  }

  async summaries(jobRowIds: number[]): Promise<{ jobRowId: number; step: number; markdown: string }[]> {
    if (jobRowIds.length === 0) return [];
    return this.db.selectFrom('summaries').select(['jobRowId', 'step', 'markdown']).where('jobRowId', 'in', jobRowIds).orderBy('id').execute();
  }
}
