// The responses a draining server still has to send, so each can be told "Connection: close".
//
// Kept per connection, because a response's own 'close' event is not enough to forget it: when a
// client pipelines requests and then closes its connection (a proxy whose oldest request timed
// out), Node emits 'close' only for the response at the head of that connection, never for those
// queued behind it. A set that waited for each response's 'close' kept every one of them, with its
// request and socket, for the life of the process: 0.7–1.4 GiB after one 30 s overload run. The
// connection's own 'close' always comes, and drops whatever was still queued on it.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface OpenResponses {
  /** Remembers `res` until it closes or its connection does. */
  track(res: ServerResponse): void;
  /** Calls `each` for every remembered response whose headers have not been sent. */
  forEachUnsent(each: (res: ServerResponse) => void): void;
  /** Responses remembered now (for tests and metrics). */
  readonly size: number;
}

export function openResponses(): OpenResponses {
  const byConnection = new Map<Socket, Set<ServerResponse>>();
  return {
    track(res) {
      // A queued pipelined response has no res.socket until its turn; its request always has one.
      const socket = res.req.socket;
      if (socket.destroyed) return;
      let responses = byConnection.get(socket);
      if (!responses) {
        const created = new Set<ServerResponse>();
        byConnection.set(socket, (responses = created));
        socket.once('close', () => byConnection.delete(socket));
      }
      const own = responses;
      own.add(res);
      res.once('close', () => own.delete(res));
    },
    forEachUnsent(each) {
      for (const responses of byConnection.values()) for (const res of responses) if (!res.headersSent) each(res);
    },
    get size() {
      let n = 0;
      for (const responses of byConnection.values()) n += responses.size;
      return n;
    },
  };
}
