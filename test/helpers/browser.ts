// Headless Chromium for tests of pages (the console, the generated JavaScript SDK): Debian's
// `chromium` driven by playwright-core, started as this machine allows (no sandbox as root, no
// background networking: the machine's network is closed and Chromium's own calls would be
// refused many at a time). A page created here records console errors and every request that
// leaves the allowed origins, so a test can assert that there were none.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';

export interface TestBrowser {
  readonly browser: Browser;
  /** A new context and page; `origins` are the only origins the page may request. */
  page(origins: string[], viewport?: { width: number; height: number }): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Messages of `console.error` and uncaught page errors, in order. */
  readonly errors: string[];
  /** URLs of requests to an origin outside the allowed ones. */
  readonly foreignRequests: string[];
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ], // playwright gives each launch a new empty profile of its own
  });
  return {
    browser,
    async page(origins, viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const errors: string[] = [];
      const foreignRequests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => {
        const url = r.url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return;
        if (!origins.some((o) => url.startsWith(o))) foreignRequests.push(url);
      });
      return { page, context, errors, foreignRequests };
    },
    async close() {
      await browser.close();
    },
  };
}
