/**
 * `npm run peer -- <room-url> [options]`: join a room from the terminal.
 *
 *   --print            print the document once it has synced with a peer, then keep running
 *   --watch            print the document whenever it changes
 *   --append <text>    append text (\n for newlines) once synced
 *   --exit-after-sync  leave the room once synced (after --append / --print)
 *   --sync-timeout <s> give up waiting for a peer after s seconds (default 30)
 *   --bind <address>   local address for ICE candidates (e.g. 127.0.0.1 on one machine)
 *   --name <name>      how this peer appears in the peer list (default "Guest", or "AI (<model>)")
 *   --ai <endpoint>    be the room's AI peer: answer every peer's Ask AI with this
 *                      OpenAI-compatible endpoint (e.g. http://localhost:11434/v1 for Ollama)
 *   --model <name>     the model the AI peer asks (required with --ai)
 *                      The endpoint's API key, if it needs one, comes from MESHPAD_AI_API_KEY.
 *                      With --ai the peer keeps running (no sync timeout) until Ctrl+C.
 *
 * Ctrl+C leaves the room properly (the others see the peer leave at once).
 */
import { parseArgs } from 'node:util';
import { aiPeerOptions } from './ai-peer-options.ts';
import { createHeadlessSession, RoomUrlError } from './headless-peer.ts';
import type { RoomSession } from '../sync/room-session.ts';

const USAGE =
  'usage: npm run peer -- <room-url> [--print] [--watch] [--append <text>] [--exit-after-sync] [--sync-timeout <s>] [--bind <address>]\n' +
  '                      [--name <name>] [--ai <endpoint> --model <name>]   (API key for --ai: env MESHPAD_AI_API_KEY)';

function fail(message: string): never {
  console.error(`meshpad peer: ${message}\n${USAGE}`);
  process.exit(2);
}

function whenSyncedWithAPeer(session: RoomSession, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (session.syncedPeers().length === 0) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no peer synced within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const off = session.subscribe(check);
    check();
  });
}

/** Resolves once every queued byte has left for the network, or after `maxMs`. */
async function drained(session: RoomSession, maxMs = 2_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (session.pendingSendBytes() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        print: { type: 'boolean', default: false },
        watch: { type: 'boolean', default: false },
        append: { type: 'string' },
        'exit-after-sync': { type: 'boolean', default: false },
        'sync-timeout': { type: 'string', default: '30' },
        bind: { type: 'string' },
        name: { type: 'string' },
        ai: { type: 'string' },
        model: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) fail('give exactly one room link');
  const timeoutSeconds = Number(values['sync-timeout']);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) fail('--sync-timeout must be a positive number of seconds');

  const checked = aiPeerOptions(values, process.env);
  if (!checked.ok) fail(checked.error);
  const { ai, name } = checked;

  let session: RoomSession;
  try {
    session = createHeadlessSession({
      roomUrl: positionals[0]!,
      ...(values.bind ? { bindAddress: values.bind } : {}),
      ...(name ? { name } : {}),
      ...(ai ? { ai, aiLog: (line: string) => console.error(`[meshpad ai] ${line}`) } : {}),
    });
  } catch (error) {
    if (error instanceof RoomUrlError) fail(error.message);
    throw error;
  }

  let leaving = false;
  const leave = (code: number) => {
    if (leaving) return;
    leaving = true;
    session.close();
    // Let the close frame reach the server before the process goes.
    setTimeout(() => process.exit(code), 100);
  };
  process.on('SIGINT', () => leave(130));
  process.on('SIGTERM', () => leave(143));

  session.onDiagnostic((d) => console.error(`[meshpad] ${d.kind}${d.peer ? ` (${d.peer})` : ''}: ${d.detail}`));
  await session.start();
  if (ai) {
    console.error(`[meshpad] joined as the room's AI peer (${ai.model} at ${new URL(ai.endpoint).origin}); Ctrl+C to leave`);
    if (values.append === undefined && !values.print && !values['exit-after-sync']) return;
  }
  console.error('[meshpad] joining the room; waiting for a peer to sync with…');
  if (values.watch) session.doc.on('update', () => console.log(`--- document (${session.text.length} chars) ---\n${session.text.toString()}`));

  try {
    await whenSyncedWithAPeer(session, timeoutSeconds * 1000);
  } catch (error) {
    console.error(`meshpad peer: ${error instanceof Error ? error.message : String(error)}`);
    if (!ai) leave(1);
    return;
  }
  if (values.append !== undefined) session.text.insert(session.text.length, values.append.replace(/\\n/g, '\n'));
  if (values.print) console.log(session.text.toString());
  if (values['exit-after-sync']) {
    await drained(session);
    leave(0);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
