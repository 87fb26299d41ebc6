/**
 * Entry point. A room link starts its session (signaling, WebRTC, the stored document) at once;
 * the UI code (CodeMirror and Lit) is then downloaded and compiled off the main thread
 * (preload-ui-chunk.ts), evaluated and mounted at background priority, one step at a time, so
 * that each step of the handshake (a signaling message, a WebRTC event) runs before it. The room
 * view adopts the running session; the text appears as soon as a peer has sent it.
 */
import { parseRoomLocation } from './net/room-url.ts';
import { atBackgroundPriority } from './ui/background-task.ts';
import { startEarly } from './ui/browser-session.ts';
import { discardEarlyConnect } from './ui/early-connect.ts';
import { preloadUiChunk } from './ui/preload-ui-chunk.ts';

const room = parseRoomLocation(location.pathname, location.hash);
if (room.ok) startEarly(room.room);
// The session took what index.html started early; anything left (an invalid link) is closed.
discardEarlyConnect();
preloadUiChunk();

void atBackgroundPriority(() => import('./ui/app-shell.ts'))
  .then(({ startApp }) =>
    atBackgroundPriority(() => {
      performance.mark('meshpad:ui-loaded');
      startApp();
    }),
  );
