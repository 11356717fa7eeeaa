#!/usr/bin/env node
// Prints the configuration reference (markdown) from the settings table in src/config/schema.ts,
// so the README's table is generated, not hand-kept: `node scripts/config-doc.mjs` after a build.
import { settingsReference } from '../dist/config/settings-doc.js';

process.stdout.write(settingsReference());
