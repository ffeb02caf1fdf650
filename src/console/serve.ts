// The web console's files (console/dist, built by `npm ci` / `npm run build`), served at
// /_gatehouse/console/: read once at start-up into a table, each with its content type and ETag;
// index.html for the folder itself and for any other path under it (the console routes by the
// URL's hash, but a pasted deep link must still load the page); a Content-Security-Policy that
// lets the page reach only this gateway's own origin.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_PATH = '/_gatehouse/console';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data: blob:",
  "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
].join('; ');

interface ConsoleFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** src/console or dist/console → the package's root, where console/dist is. */
function defaultFolder(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console', 'dist');
}

export interface ConsoleFiles {
  handle(req: IncomingMessage, res: ServerResponse, path: string): void;
}

export function consoleFiles(folder = defaultFolder()): ConsoleFiles {
  const files = new Map<string, ConsoleFile>();
  if (existsSync(join(folder, 'index.html'))) {
    for (const name of readdirSync(folder)) {
      const type = TYPES[extname(name)];
      if (type === undefined) continue;
      const body = readFileSync(join(folder, name));
      files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
    }
  }
  const index = files.get('index.html');

  return {
    handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        res.end('The console is read with GET\n');
        return;
      }
      if (path === CONSOLE_PATH) {
        res.writeHead(308, { location: `${CONSOLE_PATH}/` });
        res.end();
        return;
      }
      if (index === undefined) {
        const text = 'The console was not built. Run `npm run build` (npm ci builds it) and restart Gatehouse.\n';
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      const name = path.slice(CONSOLE_PATH.length + 1);
      const file = (name !== '' && !name.includes('/') ? files.get(name) : undefined) ?? index;
      const headers: Record<string, string | number> = {
        'content-type': file.type,
        etag: file.etag,
        // The page is small and names its assets; revalidating it each time keeps an upgrade visible.
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      };
      if (file === index) {
        headers['content-security-policy'] = CSP;
        headers['x-frame-options'] = 'DENY';
      }
      if (req.headers['if-none-match'] === file.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      headers['content-length'] = file.body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : file.body);
    },
  };
}
