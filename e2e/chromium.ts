/** How every e2e browser is launched (Playwright config, persistent contexts of the specs). */
import { existsSync } from 'node:fs';

/** Debian's chromium when present (Playwright cannot download browsers here), else Playwright's own. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const EXECUTABLE_PATH = process.env.CHROMIUM_PATH ?? (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);

export const CHROMIUM_ARGS = [
  // Without it Chromium offers no loopback ICE candidates (with media permission granted too).
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
