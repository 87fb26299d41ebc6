#!/usr/bin/env node
// `npm run test:e2e [-- <playwright args>]`: build, then Playwright in a loopback-only netns.
import { e2eSteps, runSteps } from './steps.mjs';

await runSteps('test:e2e', e2eSteps(process.argv.slice(2)));
