/**
 * Entry point. A room link starts its session (signaling, WebRTC, the stored document) at once;
 * the UI code (CodeMirror and Lit) is then downloaded and compiled off the main thread
 * (preload-ui-chunk.ts), and evaluated and mounted at first contact or once the handshake has
 * had a moment (sync/first-contact.ts), at background priority, so that whatever task of the
 * join is waiting runs first. The room view adopts the running session.
 */
import { systemClock } from './net/clock.ts';
import { parseRoomLocation } from './net/room-url.ts';
import { whenFirstContact } from './sync/first-contact.ts';
import { atBackgroundPriority } from './ui/background-task.ts';
import { startEarly } from './ui/browser-session.ts';
import { discardEarlyConnect } from './ui/early-connect.ts';
import { preloadUiChunk } from './ui/preload-ui-chunk.ts';

const room = parseRoomLocation(location.pathname, location.hash);
const early = room.ok ? startEarly(room.room) : null;
const firstContact = early
  ? whenFirstContact(early.session, systemClock).then((outcome) => performance.mark(`meshpad:first-contact:${outcome}`))
  : null;
// The session took what index.html started early; anything left (an invalid link) is closed.
discardEarlyConnect();
preloadUiChunk();

void Promise.resolve(firstContact)
  .then(() => atBackgroundPriority(() => import('./ui/app-shell.ts')))
  .then(({ startApp }) =>
    atBackgroundPriority(() => {
      performance.mark('meshpad:ui-loaded');
      startApp();
    }),
  );
