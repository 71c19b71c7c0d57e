// Workers' assets binding's lookups (src/host/assets.ts): index and .html fallbacks, types,
// ETags, methods, and nothing outside the directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetDirectory, ASSET_MAX_BYTES } from '../../src/host/assets.js';

let base: string;
let assets: AssetDirectory;
const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString());
const header = (headers: [string, string][], name: string) => headers.find(([n]) => n === name)?.[1];

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'nano-assets-'));
  const dir = join(base, 'public');
  await mkdir(join(dir, 'docs'), { recursive: true });
  await writeFile(join(dir, 'index.html'), 'home');
  await writeFile(join(dir, 'about.html'), 'about');
  await writeFile(join(dir, 'docs', 'index.html'), 'docs');
  await writeFile(join(dir, 'style.css'), 'body{}');
  await writeFile(join(dir, 'data.bin'), 'x');
  await writeFile(join(dir, '_headers'), '/*\n  X-A: 1');
  await writeFile(join(dir, '_redirects'), '/a /b');
  await writeFile(join(base, 'secret.txt'), 'secret');
  await symlink(join(base, 'secret.txt'), join(dir, 'link.txt'));
  assets = new AssetDirectory(dir);
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

test('paths name files, with index.html and .html fallbacks, typed by extension', async () => {
  const cases: [string, string, string][] = [
    ['/', 'home', 'text/html; charset=utf-8'],
    ['/about', 'about', 'text/html; charset=utf-8'],
    ['/about.html', 'about', 'text/html; charset=utf-8'],
    ['/docs', 'docs', 'text/html; charset=utf-8'],
    ['/docs/', 'docs', 'text/html; charset=utf-8'],
    ['/style.css?v=1', 'body{}', 'text/css; charset=utf-8'],
    ['/data.bin', 'x', 'application/octet-stream'],
  ];
  for (const [path, body, type] of cases) {
    const r = await assets.serve('GET', `http://app.test${path}`, []);
    assert.equal(r.status, 200, path);
    assert.equal(text(r.bytes), body, path);
    assert.equal(header(r.headers, 'content-type'), type, path);
    assert.equal(header(r.headers, 'content-length'), String(body.length), path);
    assert.equal(header(r.headers, 'cache-control'), 'public, max-age=0, must-revalidate', path);
  }
});

test('nothing outside the directory, and nothing a segment could smuggle', async () => {
  for (const path of ['/missing', '/%2e%2e/secret.txt', '/docs/%2e%2e%2f..%2fsecret.txt', '/a%2fb', '/a%5cb', '/%00', '/link.txt', '/%E0%A4%A', '/docs/index.html/x', '/_headers', '/_redirects']) {
    const r = await assets.serve('GET', `http://app.test${path}`, []);
    assert.equal(r.status, 404, path);
    assert.equal(r.bytes, null, path);
  }
  assert.ok(ASSET_MAX_BYTES >= 25 * 1024 * 1024);
});

test('a directory that does not exist serves nothing (404), and is looked for again', async () => {
  const later = join(base, 'later');
  const missing = new AssetDirectory(later);
  assert.equal((await missing.serve('GET', 'http://app.test/a.txt', [])).status, 404);
  await mkdir(later);
  await writeFile(join(later, 'a.txt'), 'a');
  assert.equal(text((await missing.serve('GET', 'http://app.test/a.txt', [])).bytes), 'a');
});

test('GET and HEAD only; a matching If-None-Match is 304', async () => {
  const post = await assets.serve('POST', 'http://app.test/style.css', []);
  assert.equal(post.status, 405);
  assert.equal(header(post.headers, 'allow'), 'GET, HEAD');
  const head = await assets.serve('HEAD', 'http://app.test/style.css', []);
  assert.equal(head.status, 200);
  assert.equal(head.bytes, null);
  assert.equal(header(head.headers, 'content-length'), '6');
  const etag = header(head.headers, 'etag')!;
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const r = await assets.serve('GET', 'http://app.test/style.css', [['If-None-Match', value]]);
    assert.equal(r.status, 304, value);
    assert.equal(r.bytes, null, value);
    assert.equal(header(r.headers, 'etag'), etag, value);
  }
  assert.equal((await assets.serve('GET', 'http://app.test/style.css', [['if-none-match', '"other"']])).status, 200);
});
