import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../testing/platform.ts';
import { LANDING_SCRIPT_PATH, landingPage } from './landing.ts';

test('the landing page escapes the base URL it is given (it comes from the Host header)', () => {
  const html = landingPage('http://x"><script>alert(1)</script>', false);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /http:\/\/x&quot;&gt;&lt;script&gt;alert\(1\)/);
  assert.equal(html.match(/<script\b/g)?.length, 1, 'only the page’s own script');
  assert.match(html, new RegExp(`<script src="${LANDING_SCRIPT_PATH}" defer></script>`));
});

forEachBackend((t) => {
  test('GET / runs only its own script under a content security policy, and serves that script', async () => {
    const page = await t.api('GET', '/', undefined, { key: null, headers: { host: 'evil"><script>alert(1)</script>' } });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'; connect-src 'self'/);
    assert.doesNotMatch(page.text, /<script>alert/);
    const js = await t.api('GET', LANDING_SCRIPT_PATH, undefined, { key: null });
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.match(js.text, /new EventSource\(`\/api\/live\?datastreams=/);
  });
});
