/**
 * A Playwright reporter beside `list`: when tests fail it writes test-results/failure-digest.txt,
 * a few lines per failure (where, which step, the error's first lines and the test's last
 * output lines). `.ci/run` prints that file last, because a CI log is often read from its tail
 * only, and there the list reporter's summary names the failed test without saying why.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FullConfig, Reporter, TestCase, TestResult, TestStep } from '@playwright/test/reporter';

export const DIGEST_FILE = 'failure-digest.txt';
const MAX_FAILURES = 3;
const ERROR_LINES = 6;
const OUTPUT_LINES = 4;
const LINE_CHARS = 200;

const ANSI = /\u001b\[[0-9;]*m/g;
const clip = (line: string) => (line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line);
const linesOf = (text: string) =>
  text
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');

/** The innermost step that failed: its title path says where in a long test the failure was. */
function failedStepPath(steps: readonly TestStep[], path: string[] = []): string[] {
  for (const step of steps) {
    if (step.error && step.category === 'test.step') return failedStepPath(step.steps, [...path, step.title]);
  }
  return path;
}

function outputOf(result: TestResult): string[] {
  const text = [...result.stdout, ...result.stderr].map((chunk) => (typeof chunk === 'string' ? chunk : chunk.toString())).join('');
  return linesOf(text).filter((l) => !l.includes('console.error: WebSocket connection to'));
}

export default class FailureDigestReporter implements Reporter {
  private outputDir = 'test-results';
  private readonly rootDir = process.cwd();
  private readonly failures: string[][] = [];
  private failedCount = 0;

  onBegin(config: FullConfig): void {
    const project = config.projects[0];
    if (project) this.outputDir = project.outputDir;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === 'passed' || result.status === 'skipped' || result.status === test.expectedStatus) return;
    this.failedCount += 1;
    if (this.failures.length >= MAX_FAILURES) return;
    const where = `${relative(this.rootDir, test.location.file)}:${test.location.line}`;
    const lines = [`FAILED ${where} › ${test.title} (${result.status}, ${(result.duration / 1000).toFixed(1)} s)`];
    const step = failedStepPath(result.steps);
    if (step.length) lines.push(`  in step: ${step.join(' › ')}`);
    for (const error of result.errors.slice(0, 1)) {
      for (const line of linesOf(error.message ?? error.value ?? '').slice(0, ERROR_LINES)) lines.push(`  ${line.trim()}`);
      if (error.location) lines.push(`  at ${relative(this.rootDir, error.location.file)}:${error.location.line}`);
    }
    const output = outputOf(result).slice(-OUTPUT_LINES);
    if (output.length) lines.push('  last output:', ...output.map((l) => `    ${l.trim()}`));
    this.failures.push(lines.map(clip));
  }

  onEnd(): void {
    if (!this.failedCount) return;
    const more = this.failedCount > this.failures.length ? [`… and ${this.failedCount - this.failures.length} more failed`] : [];
    mkdirSync(this.outputDir, { recursive: true });
    writeFileSync(join(this.outputDir, DIGEST_FILE), [...this.failures.flat(), ...more, ''].join('\n'));
  }

  printsToStdio(): boolean {
    return false;
  }
}
