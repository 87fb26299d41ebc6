#!/usr/bin/env node
// `npm run dev`: wrangler dev (signaling + API on :8787) and Vite's dev server with hot reload
// (http://127.0.0.1:5173, proxying /api to wrangler). Ctrl+C stops both.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './steps.mjs';

// wrangler refuses to start when the assets directory is missing; Vite serves the app in dev.
mkdirSync(join(ROOT, 'dist'), { recursive: true });

const workerPort = process.env.WORKER_PORT ?? '8787';
const children = [
  spawn(process.execPath, [join(ROOT, 'scripts/serve.mjs')], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PORT: workerPort } }),
  spawn(join(ROOT, 'node_modules/.bin/vite'), ['--port', process.env.PORT ?? '5173', '--strictPort'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, MESHPAD_WORKER_ORIGIN: `http://127.0.0.1:${workerPort}` },
  }),
];

let exiting = false;
function stopAll(code) {
  if (exiting) return;
  exiting = true;
  for (const child of children) child.kill('SIGTERM');
  process.exitCode = code;
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));
for (const child of children) child.on('exit', (code) => stopAll(code ?? 1));
