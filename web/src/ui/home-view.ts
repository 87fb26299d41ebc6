/** The landing page: create a room, or reopen one this browser has seen (works offline). */
import { LitElement, css, html } from 'lit';
import { createRoomAddress, roomPath } from '../net/room-url.ts';
import { roomDocName } from '../sync/doc-store.ts';
import { requestNavigation } from './navigate.ts';
import './join-code-form.ts';
import './invite-scanner.ts';
import { forgetRoom, readRecentRooms, recentRoomPath, type RecentRoom } from '../sync/recent-rooms.ts';

function ago(then: number, now: number): string {
  const minutes = Math.round((now - then) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return new Date(then).toLocaleDateString();
}

export class HomeView extends LitElement {
  static styles = css`
    :host { display: block; max-width: 40rem; margin: 0 auto; padding: 3rem 1rem; }
    h1 { font-size: 2.5rem; margin: 0 0 0.5rem; }
    h2 { font-size: 1.1rem; margin: 2.5rem 0 0.5rem; }
    .primary { font: inherit; font-size: 1.1rem; padding: 0.6rem 1.4rem; border-radius: 0.5rem;
      border: none; background: #1d4ed8; color: white; cursor: pointer; }
    .primary:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
    ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.4rem; }
    li { display: flex; gap: 0.75rem; align-items: baseline; }
    li a { font-family: ui-monospace, monospace; }
    .when { opacity: 0.7; font-size: 0.85rem; }
    li button { font: inherit; font-size: 0.8rem; margin-left: auto; }
    .secondary { font: inherit; padding: 0.5rem 1rem; min-height: 2.75rem; margin-left: 0.5rem; }
  `;

  private rooms: RecentRoom[] = readRecentRooms(localStorage);
  private scanning = false;

  render() {
    const now = Date.now();
    return html`
      <h1>Meshpad</h1>
      <p>Edit code together in real time. Your browsers talk directly to each other; no server keeps your work.</p>
      <button class="primary" type="button" @click=${this.newRoom}>New room</button>
      <button class="secondary" type="button" aria-expanded=${this.scanning} @click=${() => this.setScanning(!this.scanning)}>Scan invite</button>
      ${this.scanning ? html`<meshpad-scanner @meshpad-scanner-close=${() => this.setScanning(false)}></meshpad-scanner>` : null}
      <h2>Join with code</h2>
      <meshpad-join-code></meshpad-join-code>
      ${this.rooms.length
        ? html`<h2>Recent rooms</h2>
            <ul aria-label="Recent rooms">
              ${this.rooms.map(
                (room) => html`<li>
                  <a href=${recentRoomPath(room)} @click=${(e: Event) => this.open(e, recentRoomPath(room))}>${room.roomId.slice(0, 10)}…</a>
                  <span class="when">${ago(room.openedAt, now)}</span>
                  <button type="button" aria-label="Remove room ${room.roomId.slice(0, 10)} and its copy on this device" @click=${() => this.forget(room.roomId)}>Remove</button>
                </li>`,
              )}
            </ul>`
        : null}
    `;
  }

  private setScanning(on: boolean): void {
    this.scanning = on;
    this.requestUpdate();
  }

  private newRoom(): void {
    this.navigate(roomPath(createRoomAddress()));
  }

  private open(event: Event, path: string): void {
    event.preventDefault();
    this.navigate(path);
  }

  private forget(roomId: string): void {
    this.rooms = forgetRoom(localStorage, roomId);
    indexedDB.deleteDatabase(roomDocName(roomId));
    this.requestUpdate();
  }

  private navigate(path: string): void {
    requestNavigation(this, path);
  }
}

customElements.define('meshpad-home', HomeView);
