/**
 * Entry point. A room link starts its session (signaling, WebRTC, the stored document) before
 * the UI code loads, so connecting overlaps with loading the editor; the room view adopts it.
 */
import { parseRoomLocation } from './net/room-url.ts';
import { startEarly } from './ui/browser-session.ts';

const room = parseRoomLocation(location.pathname, location.hash);
if (room.ok) startEarly(room.room);

void import('./ui/app-shell.ts').then(({ startApp }) => {
  performance.mark('meshpad:ui-loaded');
  startApp();
});
