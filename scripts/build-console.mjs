#!/usr/bin/env node
// Builds the web console (console/) into console/dist/: one ES module bundled by esbuild (React
// and the AWS SDK clients included, nothing fetched at run time), the page and its stylesheet.
// Run by `npm ci` / `npm run build` (the prepare script); the gateway serves the folder at
// /_gatehouse/console/ (src/console/serve.ts).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const out = 'console/dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: 'console/src/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  outdir: out,
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync('console/index.html', `${out}/index.html`);
copyFileSync('console/style.css', `${out}/style.css`);
