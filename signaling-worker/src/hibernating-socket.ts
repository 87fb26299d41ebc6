/**
 * What both Durable Objects (Room, Invites) do with their hibernatable sockets. Every call is
 * safe on a socket that is closing or gone: a broken socket must never affect the caller's
 * other work (its own close event cleans up).
 */
export function readAttachment<T>(ws: WebSocket): T | undefined {
  try {
    return (ws.deserializeAttachment() as T | null) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveAttachment<T>(ws: WebSocket, attachment: T): void {
  try {
    ws.serializeAttachment(attachment);
  } catch {
    // The socket is already gone; nothing to keep.
  }
}

export function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // The peer is closing.
  }
}

export function safeClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason.slice(0, 120));
  } catch {
    // Already closed.
  }
}
