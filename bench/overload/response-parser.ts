// An incremental HTTP/1.1 response parser for the pipelined overload generator: only what the issuer
// sends (status line, headers, a Content-Length body or a chunked one, no body for 1xx/204/304).
// node:http's own client parser would bring back the per-request cost the pipelined mode exists to
// avoid; this one reads the few headers the generator looks at and hands out whole answers in order.

export interface ParsedResponse {
  readonly status: number;
  readonly etag: string | undefined;
  /** The server said Connection: close: nothing after this answer will be answered on the connection. */
  readonly close: boolean;
  readonly body: Buffer;
}

const EMPTY = Buffer.alloc(0);
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/;

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailers';

export class ResponseParser {
  private buffered: Buffer = EMPTY;
  private state: State = 'head';
  private remaining = 0;
  private chunks: Buffer[] = [];
  private head: Omit<ParsedResponse, 'body'> = { status: 0, etag: undefined, close: false };

  constructor(private readonly onResponse: (response: ParsedResponse) => void) {}

  /** Feeds bytes as they arrive; throws on a response it cannot frame (the connection is then unusable). */
  push(chunk: Buffer): void {
    const buf = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let at = 0;
    for (;;) {
      if (this.state === 'head') {
        const end = buf.indexOf(HEAD_END, at);
        if (end < 0) break;
        const lines = buf.toString('latin1', at, end).split('\r\n');
        at = end + 4;
        this.readHead(lines);
      } else if (this.state === 'body') {
        if (buf.length - at < this.remaining) break;
        const body = buf.subarray(at, at + this.remaining);
        at += this.remaining;
        this.emit(body);
      } else if (this.state === 'chunk-size') {
        const eol = buf.indexOf('\r\n', at, 'latin1');
        if (eol < 0) break;
        const size = Number.parseInt(buf.toString('latin1', at, eol).split(';')[0]!, 16);
        if (!Number.isFinite(size) || size < 0) throw new Error('malformed chunk size');
        at = eol + 2;
        this.remaining = size;
        this.state = size === 0 ? 'trailers' : 'chunk-data';
      } else if (this.state === 'chunk-data') {
        if (buf.length - at < this.remaining + 2) break;
        this.chunks.push(buf.subarray(at, at + this.remaining));
        at += this.remaining + 2;
        this.state = 'chunk-size';
      } else {
        const eol = buf.indexOf('\r\n', at, 'latin1');
        if (eol < 0) break;
        const last = eol === at;
        at = eol + 2;
        if (last) this.emit(Buffer.concat(this.chunks));
      }
    }
    this.buffered = at >= buf.length ? EMPTY : buf.subarray(at);
  }

  private readHead(lines: string[]): void {
    const status = STATUS_LINE.exec(lines[0]!);
    if (!status) throw new Error('malformed status line');
    let length: number | undefined;
    let chunked = false;
    let etag: string | undefined;
    let close = false;
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error('malformed header line');
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name === 'content-length') length = Number(line.slice(colon + 1).trim());
      else if (name === 'transfer-encoding') chunked = line.toLowerCase().includes('chunked');
      else if (name === 'etag') etag = line.slice(colon + 1).trim();
      else if (name === 'connection') close = line.toLowerCase().includes('close');
    }
    const code = Number(status[1]);
    // An informational answer (100 Continue) precedes the real one and is not matched to a request.
    if (code < 200) return;
    this.head = { status: code, etag, close };
    if (code === 204 || code === 304) return this.emit(EMPTY);
    if (chunked) {
      this.chunks = [];
      this.state = 'chunk-size';
    } else if (length !== undefined && Number.isSafeInteger(length) && length >= 0) {
      this.remaining = length;
      this.state = 'body';
    } else {
      // A body delimited by the connection's close cannot be pipelined; the issuer never sends one.
      throw new Error('response without Content-Length or chunked encoding');
    }
  }

  private emit(body: Buffer): void {
    this.state = 'head';
    this.onResponse({ ...this.head, body });
  }
}
