// One persistent HTTP/1.1 connection of the pipelined overload generator: a request is written the
// moment it is due, without waiting for the answers before it (pipelining); node's http server
// answers pipelined requests in order, so answers are matched to requests by order. A connection
// that is lost, or that its owner destroys because its oldest request timed out, answers every
// outstanding request with null (no answer), as a proxy reports its upstream's failures.
import { connect, type Socket } from 'node:net';
import { ResponseParser, type ParsedResponse } from './response-parser.ts';

export type OnAnswer = (response: ParsedResponse | null) => void;

interface Outstanding {
  readonly dueAt: number;
  readonly onAnswer: OnAnswer;
}

export class PipelinedConnection {
  private readonly socket: Socket;
  private readonly outstanding: Outstanding[] = [];
  private readonly parser = new ResponseParser((response) => this.answered(response));
  /** Closed or closing: take no more requests. */
  private gone = false;
  /** performance.now() of the last request written or answer read. */
  lastActivity = performance.now();

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.lastActivity = performance.now();
      try {
        this.parser.push(chunk);
      } catch {
        this.destroy();
      }
    });
    this.socket.on('error', () => this.destroy());
    this.socket.on('close', () => this.destroy());
  }

  get usable(): boolean {
    return !this.gone;
  }

  get pending(): number {
    return this.outstanding.length;
  }

  /** When the oldest unanswered request was due (performance.now()), or undefined if none is. */
  get oldestDueAt(): number | undefined {
    return this.outstanding[0]?.dueAt;
  }

  send(request: string, dueAt: number, onAnswer: OnAnswer): void {
    if (this.gone) return onAnswer(null);
    this.outstanding.push({ dueAt, onAnswer });
    this.lastActivity = performance.now();
    this.socket.write(request, 'latin1');
  }

  /** Ends the connection; every request still unanswered gets null. */
  destroy(): void {
    this.gone = true;
    this.socket.destroy();
    const lost = this.outstanding.splice(0);
    for (const o of lost) o.onAnswer(null);
  }

  private answered(response: ParsedResponse): void {
    const o = this.outstanding.shift();
    // An answer nobody asked for: the order is lost, and every later match would be wrong.
    if (!o) return this.destroy();
    // Connection: close — the server answers nothing after this; what was sent behind it is lost.
    if (response.close) this.gone = true;
    o.onAnswer(response);
    if (response.close) this.destroy();
  }
}
