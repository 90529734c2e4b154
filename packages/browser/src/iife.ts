/**
 * The `<script>` build: reads the options from the script tag's `data-*`
 * attributes, starts once per page and exposes `window.twclidKit`.
 */
import { init } from './kit.ts';
import { optionsFromScript } from './options.ts';
import { safe } from './safe.ts';

safe(() => {
  const w = window as { twclidKit?: unknown };
  // A page that includes the script twice keeps the first copy.
  w.twclidKit ||= init(
    optionsFromScript(
      document.currentScript ||
        document.querySelector('script[data-pixel-id],script[data-endpoint]'),
    ),
  );
})();
