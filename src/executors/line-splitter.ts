import { StringDecoder } from 'node:string_decoder';

/** A "line" this long is passed on without its end, so output without newlines cannot fill memory. */
const maxLineLength = 16 * 1024 * 1024;

/**
 * Splits a byte stream into lines as the runner reads them (.NET ReadLine): a line ends at `\n`,
 * `\r\n` or a lone `\r`; the last line may lack its end. UTF-8 is decoded across chunk boundaries.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private readonly lineBreak = /\r\n?|\n/g;
  private partial = '';
  private skipLineFeed = false;

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    this.consume(this.decoder.write(chunk));
  }

  end(): void {
    this.consume(this.decoder.end());
    if (this.partial !== '') this.emit('');
  }

  private consume(text: string): void {
    if (text === '') return;
    // A `\r` that ended the previous chunk already ended its line; a `\n` right after it belongs to it.
    let start = this.skipLineFeed && text.startsWith('\n') ? 1 : 0;
    this.skipLineFeed = text.endsWith('\r');
    if (!text.includes('\r')) {
      // Most output ends its lines with `\n` alone: indexOf finds them several times faster than the expression.
      for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
        this.emit(text.slice(start, end));
        start = end + 1;
      }
      this.keepPartial(text, start);
      return;
    }
    this.lineBreak.lastIndex = start;
    for (let match = this.lineBreak.exec(text); match !== null; match = this.lineBreak.exec(text)) {
      this.emit(text.slice(start, match.index));
      start = this.lineBreak.lastIndex;
    }
    this.keepPartial(text, start);
  }

  private keepPartial(text: string, start: number): void {
    this.partial += text.slice(start);
    if (this.partial.length >= maxLineLength) this.emit('');
  }

  private emit(rest: string): void {
    if (this.partial === '') return this.onLine(rest);
    const line = this.partial + rest;
    this.partial = '';
    this.onLine(line);
  }
}
