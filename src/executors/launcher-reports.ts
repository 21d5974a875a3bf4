// What the host launchers (native-launcher.c, host-launcher.mjs) report, as read from their stdout:
// frames of a 9-byte header (a type byte, the request's id and the payload's length, both 32-bit
// little-endian) and the payload. A process's output comes as frames of its own, whose payloads are
// passed on in whatever pieces they arrive: a step that prints much is never gathered in memory here.

const HEADER = 9;

export type OutputStream = 'stdout' | 'stderr';

export type LauncherReport =
  | { event: 'started'; id: number; pid: number }
  | { event: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null; groupLeft: boolean }
  | { event: 'failed'; id: number; code: string; message: string }
  | { event: 'output-end'; id: number; stream: OutputStream };

export interface ReportHandlers {
  report(report: LauncherReport): void;
  output(id: number, stream: OutputStream, bytes: Buffer): void;
}

const outputTypes: Record<string, OutputStream> = { O: 'stdout', E: 'stderr' };
const endTypes: Record<string, OutputStream> = { o: 'stdout', e: 'stderr' };

/** Reads reports from the launcher's stdout, chunk by chunk, however the frames are cut. */
export class ReportReader {
  private head = Buffer.alloc(0);
  private frame: { type: string; id: number; remaining: number; parts: Buffer[] } | undefined;

  constructor(private readonly handlers: ReportHandlers) {}

  write(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.frame === undefined) {
        let header: Buffer;
        if (this.head.length === 0 && chunk.length - at >= HEADER) {
          header = chunk.subarray(at, at + HEADER);
          at += HEADER;
        } else {
          const taken = Math.min(HEADER - this.head.length, chunk.length - at);
          this.head = Buffer.concat([this.head, chunk.subarray(at, at + taken)]);
          at += taken;
          if (this.head.length < HEADER) return;
          header = this.head;
          this.head = Buffer.alloc(0);
        }
        this.frame = { type: String.fromCharCode(header[0]!), id: header.readUInt32LE(1), remaining: header.readUInt32LE(5), parts: [] };
        if (this.frame.remaining === 0) this.complete();
        continue;
      }
      const frame = this.frame;
      const piece = chunk.subarray(at, at + frame.remaining);
      at += piece.length;
      frame.remaining -= piece.length;
      const stream = outputTypes[frame.type];
      if (stream !== undefined) this.handlers.output(frame.id, stream, piece);
      else frame.parts.push(piece);
      if (frame.remaining === 0) this.complete();
    }
  }

  private complete(): void {
    const { type, id, parts } = this.frame!;
    this.frame = undefined;
    if (outputTypes[type] !== undefined) return;
    const fields = Buffer.concat(parts).toString('utf8').split('\0');
    const ended = endTypes[type];
    if (ended !== undefined) this.handlers.report({ event: 'output-end', id, stream: ended });
    else if (type === 'S') this.handlers.report({ event: 'started', id, pid: Number(fields[0]) });
    else if (type === 'F') this.handlers.report({ event: 'failed', id, code: fields[0] ?? 'EUNKNOWN', message: fields.slice(1).join('\0') });
    else if (type === 'X') {
      const [code = '', signal = '', left = '0'] = fields;
      this.handlers.report({
        event: 'exit',
        id,
        code: code === '' ? null : Number(code),
        signal: signal === '' ? null : (signal as NodeJS.Signals),
        groupLeft: left === '1',
      });
    }
  }
}
