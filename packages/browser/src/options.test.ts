import { describe, expect, it } from 'vitest';
import { optionsFromScript } from './options.ts';

const script = (attributes: string) => {
  document.body.innerHTML = `<script ${attributes}></script>`;
  return document.querySelector('script');
};

describe('optionsFromScript', () => {
  it('maps every data attribute to its option', () => {
    expect(
      optionsFromScript(
        script(`data-pixel-id="o8z6j" data-endpoint="/tw/events" data-capture-endpoint="/tw/cap"
          data-cookie-days="30" data-consent="required" data-load-pixel data-pixel-src="http://e/uwt.js"
          data-capture="false" data-twclid-field="c" data-conversion-id-field="cid"
          data-email-field="mail" data-phone-field="tel"`),
      ),
    ).toEqual({
      pixelId: 'o8z6j',
      endpoint: '/tw/events',
      captureEndpoint: '/tw/cap',
      cookieDays: 30,
      consent: 'required',
      loadPixel: true,
      pixelSrc: 'http://e/uwt.js',
      capture: false,
      twclidField: 'c',
      conversionIdField: 'cid',
      emailField: 'mail',
      phoneField: 'tel',
    });
  });

  it('defaults: capture on, Pixel not loaded, no lifetime override', () => {
    expect(optionsFromScript(script(''))).toEqual({
      cookieDays: Number.NaN,
      capture: true,
      loadPixel: false,
    });
    expect(optionsFromScript(script('data-load-pixel="false"')).loadPixel).toBe(false);
    expect(optionsFromScript(script('data-load-pixel="true"')).loadPixel).toBe(true);
    expect(optionsFromScript(null)).toMatchObject({ capture: true, loadPixel: false });
  });
});
