#!/usr/bin/env node
// The package's `bin`: register tsx so the TypeScript sources run without a build step, then start the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
