/** A test client's socket inside workerd: validated server frames queue up; `next()` awaits one. */
export interface Closed {
  code: number;
  reason: string;
}

export type FrameParser<M> = (data: unknown) => { ok: true; message: M } | { ok: false; error: unknown };

export class QueuedSocket<M> {
  private readonly queue: M[] = [];
  private readonly waiters: ((m: M) => void)[] = [];
  readonly closed: Promise<Closed>;

  protected constructor(
    private readonly ws: WebSocket,
    parse: FrameParser<M>,
  ) {
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (event) => {
        // Complete the close handshake from our side too.
        try {
          ws.close();
        } catch {
          // already closed
        }
        resolve({ code: event.code, reason: event.reason });
      });
    });
    ws.addEventListener('message', (event) => {
      const parsed = parse(event.data);
      if (!parsed.ok) throw new Error(`server sent an invalid frame: ${JSON.stringify(parsed.error)}`);
      const waiter = this.waiters.shift();
      if (waiter) waiter(parsed.message);
      else this.queue.push(parsed.message);
    });
    ws.accept();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  next(): Promise<M> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Frames received but not yet consumed by next(). */
  get pending(): number {
    return this.queue.length;
  }

  /** Closes from the client side; 1000 (the default) is a clean leave, 4xxx counts as lost. */
  close(code = 1000, reason = 'bye'): void {
    try {
      this.ws.close(code, reason);
    } catch {
      // already closed
    }
  }
}
