#!/usr/bin/env node
// Launcher for `haadmin`: runs the compiled entry point (built by `npm install` / `npm run build`).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const entry = join(__dirname, '..', 'dist', 'cli', 'haadmin-main.js');
if (!existsSync(entry)) {
  process.stderr.write(
    'haadmin: not built yet (missing ' + entry + '); run `npm install` or `npm run build` in the checkout\n',
  );
  process.exit(1);
}
void import(pathToFileURL(entry).href);
