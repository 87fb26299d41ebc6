/**
 * The object y-codemirror.next's remote-selection plugin reads and writes (the subset of
 * y-protocols' Awareness it uses: `doc`, local state, `getStates()`, `change` events). We do not
 * run the awareness protocol: the local cursor it records is sent on our lossy `cursor-pos`
 * channel, and remote cursors are written here from those frames, so no cursor traffic ever
 * travels on code-sync.
 */
import { Observable } from 'lib0/observable';
import type * as Y from 'yjs';

export interface CursorUser {
  name: string;
  color: string;
  colorLight: string;
}

export interface AwarenessState {
  user?: CursorUser;
  cursor?: { anchor: unknown; head: unknown } | null;
  [key: string]: unknown;
}

type ChangeEvents = { change: (change: { added: number[]; updated: number[]; removed: number[] }, origin: string) => void };

export class CursorAwareness extends Observable<keyof ChangeEvents & string> {
  private readonly states = new Map<number, AwarenessState>();

  constructor(readonly doc: Y.Doc) {
    super();
    this.states.set(doc.clientID, {});
  }

  get clientID(): number {
    return this.doc.clientID;
  }

  getLocalState(): AwarenessState | null {
    return this.states.get(this.doc.clientID) ?? null;
  }

  setLocalStateField(field: string, value: unknown): void {
    const state = { ...(this.getLocalState() ?? {}), [field]: value };
    this.states.set(this.doc.clientID, state);
    this.emit('change', [{ added: [], updated: [this.doc.clientID], removed: [] }, 'local']);
  }

  getStates(): Map<number, AwarenessState> {
    return this.states;
  }

  setRemoteState(client: number, state: AwarenessState): void {
    if (client === this.doc.clientID) return;
    const existed = this.states.has(client);
    this.states.set(client, state);
    this.emit('change', [{ added: existed ? [] : [client], updated: existed ? [client] : [], removed: [] }, 'remote']);
  }

  removeRemoteState(client: number): void {
    if (client === this.doc.clientID || !this.states.delete(client)) return;
    this.emit('change', [{ added: [], updated: [], removed: [client] }, 'remote']);
  }
}
