/**
 * Bindings of the worker (see wrangler.toml). Hand-written instead of a generated
 * worker-configuration.d.ts; keep in sync with wrangler.toml.
 */
import type { Room } from './room.ts';

declare global {
  namespace Cloudflare {
    interface Env {
      /** One Durable Object per room, addressed by idFromName(roomId). */
      ROOMS: DurableObjectNamespace<Room>;
      /** The built PWA in ./dist. */
      ASSETS: Fetcher;
    }
  }
}

export type Env = Cloudflare.Env;
