/**
 * Browser script size: the shipped IIFE (js-cookie included) raw, minified,
 * gzip and brotli, against js-cookie's own minified build as a baseline.
 *
 *   npm run bench:size [-- --reuse-build]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';
import { jsCookieCore } from '../../packages/browser/scripts/js-cookie-core.ts';
import { runBench } from '../lib/bench-run.ts';
import { buildBrowserScript } from '../lib/browser-build.ts';
import { BROWSER_DIR, REPO_DIR } from '../lib/paths.ts';

const { values: args } = parseArgs({
  options: { 'reuse-build': { type: 'boolean', default: false } },
});

/** Goal and hard CI budget from docs/product.md ("Goals we measure"). */
const GOAL_GZIP = 2048;
const BUDGET_GZIP = 3072;

const gzip = (code: string | Buffer): number => gzipSync(code, { level: 9 }).length;
const brotli = (code: string | Buffer): number =>
  brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/**
 * The IIFE entry bundled by the package's own settings (js-cookie cut to the
 * calls the script makes), minified or not, with
 * js-cookie replaced by an empty module when `withoutJsCookie`: the gzip size
 * of that build is the kit's own code, and the difference is what js-cookie
 * adds inside the bundle (it compresses together with the kit's code).
 */
async function bundle(minify: boolean, withoutJsCookie = false): Promise<string> {
  const stub = '\0js-cookie-stub';
  const output = (await build({
    root: BROWSER_DIR,
    configFile: false,
    logLevel: 'silent',
    plugins: withoutJsCookie
      ? [
          {
            name: 'js-cookie-stub',
            enforce: 'pre',
            resolveId: (id) => (id === 'js-cookie' ? stub : undefined),
            load: (id) => (id === stub ? 'export default {};' : undefined),
          },
        ]
      : [jsCookieCore()],
    build: {
      write: false,
      minify,
      target: 'es2020',
      lib: { entry: 'src/iife.ts', formats: ['iife'], name: 'twclidKit', fileName: () => 'raw.js' },
    },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  let code = '';
  for (const o of Array.isArray(output) ? output : [output]) {
    for (const chunk of o.output) if (chunk.type === 'chunk') code += chunk.code;
  }
  return code;
}

await runBench(
  {
    id: 'browser-size',
    title: 'Browser script size',
    command: 'npm run bench:size',
    parameters: { gzipLevel: 9, brotliQuality: 11 },
  },
  async () => {
    const file = await buildBrowserScript(args['reuse-build']);
    const minified = readFileSync(file);
    const jsCookie = readFileSync(
      path.join(REPO_DIR, 'node_modules/js-cookie/dist/js.cookie.min.js'),
    );
    const raw = Buffer.byteLength(await bundle(false));
    const own = gzip(await bundle(true, true));
    const gz = gzip(minified);
    const br = brotli(minified);
    const base = { name: 'js-cookie alone', value: 0 };
    return {
      figures: [
        { name: 'raw (bundled, not minified)', value: raw, unit: 'B' },
        {
          name: 'minified',
          value: minified.length,
          unit: 'B',
          baseline: { ...base, value: jsCookie.length },
        },
        {
          name: 'minified + gzip -9',
          value: gz,
          unit: 'B',
          baseline: { ...base, value: gzip(jsCookie) },
        },
        {
          name: 'minified + brotli q11',
          value: br,
          unit: 'B',
          baseline: { ...base, value: brotli(jsCookie) },
        },
        {
          name: "the kit's own code, minified + gzip -9 (js-cookie left out)",
          value: own,
          unit: 'B',
        },
        {
          name: 'what js-cookie adds to the gzip size inside the bundle',
          value: gz - own,
          unit: 'B',
        },
        {
          name: 'gzip vs goal (2,048 B)',
          value: gz,
          unit: 'B',
          baseline: { name: 'goal', value: GOAL_GZIP },
        },
        {
          name: 'gzip vs hard CI budget (3,072 B)',
          value: gz,
          unit: 'B',
          baseline: { name: 'budget', value: BUDGET_GZIP },
        },
      ],
      verdicts: [
        {
          goal: 'browser-size',
          measured: `${gz.toLocaleString('en-US')} B gzip (${br.toLocaleString('en-US')} B brotli); ${gz <= BUDGET_GZIP ? 'within' : 'OVER'} the 3,072 B CI budget`,
          met: gz <= GOAL_GZIP,
        },
      ],
      notes: [
        `measured file: packages/browser/dist/twclid.iife.js, built by \`npm run build -w @twclid-kit/browser\`; the baseline is js-cookie's own dist/js.cookie.min.js (${jsCookie.length} B), which the IIFE bundles.`,
      ],
    };
  },
);
