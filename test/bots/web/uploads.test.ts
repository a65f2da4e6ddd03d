// The adapter's own duties over real HTTP: what reaches the core from an upload, the byte and count limits,
// time limits against trickling clients, the token and foreign origins. The core here only records; the
// job flow and the core's refusals are in api.test.ts and e2e.test.ts.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebAdapter } from '../../../src/bots/web/index.js';
import { sharedImage } from '../../helpers/paths.js';
import { RecordingCore } from './fake-core.js';
import { LogLines, multipartBody, multipartHeaders, rawExchange, spoolFolders, startWeb } from './harness.js';
import { openEvents } from './support.js';

const cat = readFileSync(sharedImage('content/chelsea_cat.jpg'));
const wave = readFileSync(sharedImage('style/hokusai_great_wave.jpg'));
const TOKEN = 'a-long-enough-test-token-1234';

let web: (WebAdapter & { url: string }) | undefined;
afterEach(async () => {
  await web?.stop();
  web = undefined;
});

describe('web uploads', () => {
  it('hands the core the pictures as attachments of their exact size, the options and the local user', async () => {
    const core = new RecordingCore();
    web = await startWeb(core);
    const body = multipartBody([
      { name: 'steps', value: '7' },
      { name: 'style_weight', value: '' },
      { name: 'preset', value: 'soft' },
      { name: 'content', filename: 'cat.jpg', type: 'image/jpeg', bytes: cat },
      { name: 'style', filename: 'wave.jpg', type: 'image/jpeg', bytes: wave },
      { name: 'style', filename: 'wave2.jpg', type: 'image/jpeg', bytes: wave },
    ]);
    const response = await fetch(`${web.url}api/jobs`, { method: 'POST', headers: multipartHeaders, body });
    expect(response.status).toBe(200);
    const [received] = core.commands;
    expect(received?.command).toMatchObject({ kind: 'stylize', options: { steps: '7' }, preset: 'soft' });
    expect(received?.pictures).toEqual([
      { name: 'cat.jpg', declaredBytes: cat.length, declaredType: 'image/jpeg', bytes: cat.length },
      { name: 'wave.jpg', declaredBytes: wave.length, declaredType: 'image/jpeg', bytes: wave.length },
      { name: 'wave2.jpg', declaredBytes: wave.length, declaredType: 'image/jpeg', bytes: wave.length },
    ]);
    expect(received?.actor).toMatchObject({ platform: 'web', serverId: 'local', userId: 'local', isAdmin: true });
    expect(spoolFolders()).toEqual([]);
  });

  it('cuts a picture over the byte cap while it streams, so the core refuses it by its size', async () => {
    const core = new RecordingCore();
    web = await startWeb(core, { server: { uploadLimits: { maxFileBytes: 50_000, maxFiles: 10, maxFields: 48, maxFieldBytes: 8192 } } });
    const body = multipartBody([
      { name: 'content', filename: 'big.jpg', type: 'image/jpeg', bytes: Buffer.concat([cat, Buffer.alloc(2_000_000)]) },
      { name: 'style', filename: 'cat.jpg', type: 'image/jpeg', bytes: cat },
    ]);
    const response = await fetch(`${web.url}api/jobs`, { method: 'POST', headers: multipartHeaders, body });
    expect(response.status).toBe(200);
    expect(core.commands[0]?.pictures[0]).toMatchObject({ declaredBytes: 50_001, bytes: 50_001 });
    // the picture after the cut one still arrives whole
    expect(core.commands[0]?.pictures[1]).toMatchObject({ declaredBytes: cat.length, bytes: cat.length });
  });

  it('refuses too many files and too many fields before the core hears of them', async () => {
    const core = new RecordingCore();
    web = await startWeb(core);
    const files = Array.from({ length: 12 }, (_, i) => ({ name: 'style', filename: `s${i}.jpg`, type: 'image/jpeg', bytes: cat.subarray(0, 100) }));
    const tooMany = await fetch(`${web.url}api/jobs`, { method: 'POST', headers: multipartHeaders, body: multipartBody(files) });
    expect(tooMany.status).toBe(413);
    expect(await tooMany.json()).toEqual({ error: { code: 'TOO_MANY_FILES' } });
    const fields = Array.from({ length: 200 }, (_, i) => ({ name: `f${i}`, value: 'x' }));
    const tooManyFields = await fetch(`${web.url}api/jobs`, { method: 'POST', headers: multipartHeaders, body: multipartBody(fields) });
    expect(tooManyFields.status).toBe(413);
    expect(core.commands).toEqual([]);
    expect(spoolFolders()).toEqual([]);
  });

  it('refuses an oversized JSON body and a body that is not an upload', async () => {
    const core = new RecordingCore();
    web = await startWeb(core);
    const big = await fetch(`${web.url}api/presets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ op: 'save', name: 'x', options: { notes: 'x'.repeat(200_000) } }) });
    expect(big.status).toBe(413);
    const notMultipart = await fetch(`${web.url}api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(415);
    expect(core.commands).toEqual([]);
  });

  it('keeps nothing of an upload whose client went away halfway', async () => {
    const core = new RecordingCore();
    const logs = new LogLines();
    web = await startWeb(core, { logs });
    const body = multipartBody([{ name: 'content', filename: 'cat.jpg', type: 'image/jpeg', bytes: cat }]);
    const head = `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${multipartHeaders['content-type']}\r\nContent-Length: ${body.length}\r\n\r\n`;
    await rawExchange(web.url, head, (write, socket) => {
      write(body.subarray(0, 20_000).toString('latin1'));
      socket.end();
    });
    await logs.waitFor((line) => line.msg === 'upload refused');
    expect(core.commands).toEqual([]);
    expect(spoolFolders()).toEqual([]);
  });

  it('cuts off a client that trickles its upload, and one that trickles its headers', async () => {
    const core = new RecordingCore();
    web = await startWeb(core, { server: { requestTimeoutMs: 600, headersTimeoutMs: 400, timeoutCheckMs: 50 } });
    // a live event stream is a request that arrived whole: the limits must not end it
    const stream = await openEvents(web.url);
    const head = `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${multipartHeaders['content-type']}\r\nContent-Length: 10000000\r\n\r\n`;
    let trickle: NodeJS.Timeout | undefined;
    const body = await rawExchange(web.url, head, (write) => {
      // one byte every 20 ms: never idle long enough for an idle timeout, only a total one stops it
      trickle = setInterval(() => write('x'), 20);
    });
    clearInterval(trickle);
    expect(body.received).toMatch(/^HTTP\/1\.1 408/);
    expect(body.closedAfterMs).toBeLessThan(5_000);

    const headers = await rawExchange(web.url, 'GET / HTTP/1.1\r\n', (write) => {
      trickle = setInterval(() => write('X-Slow: 1\r\n'), 20);
    });
    clearInterval(trickle);
    expect(headers.received).toMatch(/^HTTP\/1\.1 408/);
    expect(core.commands).toEqual([]);
    expect(stream.ended).toBe(false);
    web.reportWeights({ state: 'ready' });
    await stream.next((event) => (event as unknown as { state?: string }).state === 'ready');
    await stream.close();
  });
});

describe('web access', () => {
  it('with a token set, requires it as a bearer header or as the login cookie', async () => {
    const core = new RecordingCore();
    web = await startWeb(core, { token: TOKEN });
    expect((await fetch(`${web.url}api/form`)).status).toBe(401);
    expect((await fetch(`${web.url}api/form`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    expect((await fetch(`${web.url}api/form`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const page = await fetch(web.url, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    expect((await fetch(`${web.url}login`)).status).toBe(200);

    const form = { method: 'POST', redirect: 'manual' as const, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    const wrong = await fetch(`${web.url}login`, { ...form, body: 'token=nope' });
    expect(wrong.headers.get('location')).toBe('/login?wrong=1');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const right = await fetch(`${web.url}login`, { ...form, body: `token=${TOKEN}` });
    const cookie = right.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    expect((await fetch(`${web.url}api/form`, { headers: { cookie: session } })).status).toBe(200);
    expect((await fetch(`${web.url}api/form`, { headers: { cookie: 'stylebot_session=forged' } })).status).toBe(401);
    expect(core.commands).toEqual([]);
  });

  it('refuses requests from other sites and names that are not loopback', async () => {
    const core = new RecordingCore();
    web = await startWeb(core);
    const foreign = await fetch(`${web.url}api/jobs/abc123/cancel`, { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    const rebound = await rawExchange(web.url, 'GET /api/form HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n', () => undefined);
    expect(rebound.received).toMatch(/^HTTP\/1\.1 403/);
    const own = await fetch(`${web.url}api/jobs/abc123/cancel`, { method: 'POST', headers: { origin: web.url.slice(0, -1) } });
    expect(own.status).toBe(200);
    expect(core.commands.map((c) => c.command.kind)).toEqual(['cancel']);
  });
});
