#!/usr/bin/env node
// `npm test`: typecheck → unit (coverage) → worker → build → e2e (in a loopback-only netns).
import { e2eSteps, npmRun, runSteps } from './steps.mjs';

await runSteps('npm test', [npmRun('typecheck'), npmRun('test:unit'), npmRun('test:worker'), ...e2eSteps()]);
