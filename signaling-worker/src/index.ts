/**
 * Meshpad worker: serves the signaling API under /api/* (everything else is the built PWA
 * from ./dist via the ASSETS binding, see wrangler.toml).
 */
import { Hono } from 'hono';
import { ErrorCode, isValidRoomId, PROTOCOL_VERSION } from '../../web/src/net/protocol.ts';
import type { Env } from './env.ts';
import { iceServers } from './ice-servers.ts';

export { Room } from './room.ts';
export { Invites } from './invites.ts';

const app = new Hono<{ Bindings: Env }>();

app.get('/api/health', (c) => c.json({ ok: true, protocol: PROTOCOL_VERSION }));

app.route('/api/ice-servers', iceServers);

app.get('/api/rooms/:roomId/ws', async (c) => {
  const roomId = c.req.param('roomId');
  if (!isValidRoomId(roomId)) return c.json({ error: ErrorCode.badRoom }, 400);
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') {
    return c.json({ error: 'upgrade-required' }, 426);
  }
  const stub = c.env.ROOMS.get(c.env.ROOMS.idFromName(roomId));
  return stub.fetch(c.req.raw);
});

// The invite mailbox (docs/invites.md): one Durable Object for every nameplate. The audit route
// answers only when the INVITE_TEST_HOOKS test variable is set (the object checks).
const invites = (c: { env: Env }) => c.env.INVITES.get(c.env.INVITES.idFromName('invites'));
app.get('/api/invites/ws', async (c) => {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') return c.json({ error: 'upgrade-required' }, 426);
  return invites(c).fetch(c.req.raw);
});
app.get('/api/invites/audit', async (c) => invites(c).fetch(c.req.raw));

app.all('/api/*', (c) => c.json({ error: 'not-found' }, 404));

// Only /api/* runs the worker first; anything else that reaches us is served from the assets.
app.notFound((c) => c.env.ASSETS.fetch(c.req.raw));

export default app;
