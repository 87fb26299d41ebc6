/**
 * Bindings of the worker (see wrangler.toml). Hand-written instead of a generated
 * worker-configuration.d.ts; keep in sync with wrangler.toml.
 */
import type { Invites } from './invites.ts';
import type { Room } from './room.ts';

declare global {
  namespace Cloudflare {
    interface Env {
      /** One Durable Object per room, addressed by idFromName(roomId). */
      ROOMS: DurableObjectNamespace<Room>;
      /** The invite mailbox service: one Durable Object, addressed by idFromName('invites'). */
      INVITES: DurableObjectNamespace<Invites>;
      /** The built PWA in ./dist. */
      ASSETS: Fetcher;
      // ICE settings for GET /api/ice-servers, all optional. Set them as secrets / dashboard
      // variables (or `wrangler dev --var`), never in wrangler.toml; see docs/protocol.md.
      /** Comma-separated stun:/stuns: URLs. */
      STUN_URLS?: string;
      /** Comma-separated turn:/turns: URLs, e.g. `turn:127.0.0.1:3478?transport=udp`. */
      TURN_URLS?: string;
      /** coturn `--static-auth-secret`; TURN is offered only when this and TURN_URLS are set. */
      TURN_SECRET?: string;
      /** Lifetime of minted TURN credentials in seconds (default 7200). */
      TURN_TTL_SECONDS?: string;
      /**
       * Tests only, never in production: "1" lets a mailbox socket ask for a short code lifetime
       * (`?ttl=<seconds>`) and records every frame the invite service receives, readable at
       * GET /api/invites/audit, so tests can check the code's words never reached the server.
       */
      INVITE_TEST_HOOKS?: string;
    }
  }
}

export type Env = Cloudflare.Env;
