// Shared by scripts/test.mjs (npm test) and scripts/e2e.mjs (npm run test:e2e): run steps in
// order, stop at the first failure, print a summary, exit non-zero on failure.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNetns } from './netns.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @typedef {{ name: string, run: () => Promise<number> }} Step */

/**
 * @param {string} cmd
 * @param {string[]} args
 * @returns {Promise<number>}
 */
export function exec(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', (err) => {
      console.error(`cannot run ${cmd}: ${err.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(signal ? 128 + (osConstants.signals[signal] ?? 1) : (code ?? 1)));
  });
}

/** `npm run <script>` as a step. */
export const npmRun = (/** @type {string} */ script) => ({ name: `npm run ${script}`, run: () => exec('npm', ['run', script]) });

/** Build, then Playwright inside a loopback-only network namespace (wrangler is its webServer). */
export const e2eSteps = (/** @type {string[]} */ extraArgs = []) => [
  npmRun('build'),
  {
    name: 'e2e (netns: npx playwright test)',
    run: () => runInNetns('npx', ['playwright', 'test', ...extraArgs], { cwd: ROOT }),
  },
];

/**
 * @param {string} title
 * @param {Step[]} steps
 */
export async function runSteps(title, steps) {
  const t0 = performance.now();
  /** @type {string[]} */
  const lines = [];
  for (const step of steps) {
    console.log(`\n=== ${title}: ${step.name} ===`);
    const s0 = performance.now();
    const code = await step.run();
    const secs = ((performance.now() - s0) / 1000).toFixed(1);
    lines.push(`  ${code === 0 ? 'ok  ' : 'FAIL'} ${step.name} (${secs}s)`);
    if (code !== 0) {
      const total = ((performance.now() - t0) / 1000).toFixed(1);
      console.error(`\n${lines.join('\n')}\n${title}: FAILED at "${step.name}" (exit ${code}) after ${total}s`);
      process.exit(code || 1);
    }
  }
  const total = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`\n${lines.join('\n')}\n${title}: all ${steps.length} steps passed in ${total}s`);
}
