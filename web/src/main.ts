/**
 * Entry point. A room link starts its session (signaling, WebRTC, the stored document) at once,
 * and the loading placeholder shows the room's text as soon as there is any (ui/boot-preview.ts);
 * the UI code (CodeMirror and Lit) is downloaded and compiled meanwhile (modulepreload, see
 * vite.config.ts) but evaluated only once the first peer's text is in (and painted) or the
 * handshake has had a moment (sync/first-contact.ts; then at background priority, so that a
 * waiting task of the join runs first). The room view adopts the running session.
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
const preview = early ? showBootPreview(early.session.text, document.querySelector<HTMLElement>('meshpad-app .boot pre')) : null;

/** Evaluates and starts the UI: at once on other pages, on a room page after first contact. */
async function loadUi(): Promise<void> {
  let run = <T>(task: () => T | Promise<T>): Promise<T> => Promise.resolve().then(task);
  if (early) {
    const outcome = await whenFirstContact(early.session, systemClock);
    performance.mark(`meshpad:first-contact:${outcome}`);
    // The placeholder's text is painted before the UI's long tasks start.
    await new Promise<void>((resolve) => afterNextPaint(resolve));
    // After a timeout the handshake may still be under way: its waiting tasks go first. Otherwise
    // there is nothing left to let through (measured, 6 interleaved pairs of 8 joins: the editor
    // showed the text at 1.18 x y-webrtc's time on average instead of 1.28 x at background priority).
    if (outcome === 'timeout') run = atBackgroundPriority;
  }
  const { startApp } = await run(() => import('./ui/app-shell.ts'));
  await run(() => {
    performance.mark('meshpad:ui-loaded');
    preview?.stop();
    startApp();
  });
}

void loadUi();
// The session took what index.html started early; anything left (an invalid link) is closed.
discardEarlyConnect();
