import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { NAV, type SiteConfig } from './site.ts';

export interface LayoutProps {
  site: SiteConfig;
  title: string;
  /** The path of the current page, to mark it in the navigation. */
  path: string;
  /** The click ID the server sees for this visitor (cookie or `?twclid=`), shown in the demo bar. */
  twclid: string | undefined;
  /** Page-specific ES module (built by Vite into `/assets`). */
  script?: string;
  children?: Child;
}

/**
 * The frame of every page. The one line that matters for the kit is the
 * `<script src="/assets/twclid.iife.js" ...>` tag: it captures `?twclid=`, loads
 * the X Pixel base code (here pointed at the emulator's uwt.js) and decorates
 * `data-tw-event` forms. That tag is all a landing page needs.
 */
export function Layout({ site, title, path, twclid, script, children }: LayoutProps) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Lumen Coffee`}</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="/assets/styles.css" />
          <script
            src="/assets/twclid.iife.js"
            data-pixel-id={site.pixelId}
            data-endpoint={`${site.kitMount}/events`}
            data-load-pixel="true"
            data-pixel-src={site.pixelSrc}
            defer
          />
          {script ? <script type="module" src={`/assets/${script}.js`} /> : null}
        </head>
        <body>
          <div class="demo-bar">
            <strong>twclid-kit demo</strong>
            <span>
              click ID:{' '}
              <code data-testid="demo-twclid">{twclid ?? 'none yet: simulate an ad click'}</code>
            </span>
            <span class="spacer" />
            <a href="/ad-click">Simulate an ad click</a>
            <a href="/dashboard">Open the dashboard</a>
          </div>
          <header class="site">
            <div class="inner wrap">
              <a class="brand" href="/">
                Lumen<span>.</span>coffee
              </a>
              <nav class="main">
                {NAV.map((item) => (
                  <a href={item.path} aria-current={item.path === path ? 'page' : undefined}>
                    {item.label}
                  </a>
                ))}
              </nav>
            </div>
          </header>
          <main class="wrap">{children}</main>
          <footer>
            <div class="inner wrap">
              A demo shop for twclid-kit: every conversion here reaches X twice (Pixel and
              Conversion API) and counts once.
            </div>
          </footer>
        </body>
      </html>
    </>
  );
}
