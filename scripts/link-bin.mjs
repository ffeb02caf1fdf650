// Makes `npx gatehouse` in a checkout run this checkout's CLI: npx looks in node_modules/.bin
// first, and a package's own bin is not linked there by `npm ci` (without it npx would install
// a copy of the project into its cache and run that, stale after the next change).
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
rmSync('node_modules/.bin/gatehouse', { force: true });
symlinkSync('../../bin/gatehouse.js', 'node_modules/.bin/gatehouse');
