/**
 * Entry point. A room link starts its session (signaling, WebRTC, the stored document) at once,
 * and the loading placeholder shows the room's text as soon as there is any (ui/boot-preview.ts);
 * the UI code (CodeMirror and Lit) is downloaded and compiled meanwhile (modulepreload, see
 * vite.config.ts) but evaluated only once the first peer's text is in (and painted) or the
 * handshake has had a moment (sync/first-contact.ts), at background priority, so that a waiting
 * task of the join runs first. The room view adopts the running session.
 */
import { systemClock } from './net/clock.ts';
import { parseRoomLocation } from './net/room-url.ts';
import { whenFirstContact } from './sync/first-contact.ts';
import { afterNextPaint, atBackgroundPriority } from './ui/background-task.ts';
import { showBootPreview } from './ui/boot-preview.ts';
import { startEarly } from './ui/browser-session.ts';
import { discardEarlyConnect } from './ui/early-connect.ts';

const room = parseRoomLocation(location.pathname, location.hash);
const early = room.ok ? startEarly(room.room) : null;
const firstContact = early
  ? whenFirstContact(early.session, systemClock).then((outcome) => performance.mark(`meshpad:first-contact:${outcome}`))
  : null;
const preview = early ? showBootPreview(early.session.text, document.querySelector<HTMLElement>('meshpad-app .boot pre')) : null;
// The session took what index.html started early; anything left (an invalid link) is closed.
discardEarlyConnect();

void Promise.resolve(firstContact)
  .then(() => new Promise<void>((resolve) => afterNextPaint(resolve)))
  .then(() => atBackgroundPriority(() => import('./ui/app-shell.ts')))
  .then(({ startApp }) =>
    atBackgroundPriority(() => {
      performance.mark('meshpad:ui-loaded');
      preview?.stop();
      startApp();
    }),
  );
