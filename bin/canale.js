#!/usr/bin/env node
// The only file that touches `process`: everything else receives its effects through Deps.
import { main } from '../dist/main.js';
import { systemDeps } from '../dist/deps.js';

process.exitCode = await main(process.argv.slice(2), systemDeps());
