import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttachmentRefused, type AttachmentProblem } from '../../../src/bots/shared/attachment-errors.js';
import { checkPictureHeader, fetchAttachment, httpAttachment } from '../../../src/bots/shared/attachments.js';
import type { Attachment } from '../../../src/bots/shared/contract.js';
import { describeAttachmentProblem } from '../../../src/bots/shared/messages/index.js';
import { FakeClock } from '../../jobs/support.js';
import { FakeTimers, image, memoryAttachment, stalledAttachment } from './support.js';

async function refused(promise: Promise<unknown>): Promise<AttachmentProblem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AttachmentRefused) return error.details;
    throw error;
  }
  throw new Error('expected a refusal');
}

const limits = { maxBytes: 1_000_000, timeoutMs: 20_000 };
const cat = image('content/chelsea_cat.jpg');

describe('fetchAttachment', () => {
  it('downloads within the limits', async () => {
    const attachment = memoryAttachment(cat, { chunk: 1000 });
    expect(await fetchAttachment(attachment, limits)).toEqual(cat);
  });

  it('refuses a declared size or type before any byte is downloaded', async () => {
    const big = memoryAttachment(cat, { declaredBytes: 5_000_000 });
    expect(await refused(fetchAttachment(big, limits))).toEqual({ problem: 'tooLarge', bytes: 5_000_000, maxBytes: 1_000_000 });
    const text = memoryAttachment(cat, { declaredType: 'text/plain; charset=utf-8' });
    expect(await refused(fetchAttachment(text, limits))).toEqual({ problem: 'notAnImage', declaredType: 'text/plain' });
    expect(big.state.opened + text.state.opened).toBe(0);
  });

  it('stops streaming at the byte cap when the size was not declared', async () => {
    const attachment = memoryAttachment(cat, { declaredBytes: null, chunk: 1000 });
    expect(await refused(fetchAttachment(attachment, { ...limits, maxBytes: 5000 }))).toEqual({ problem: 'tooLarge', bytes: null, maxBytes: 5000 });
  });

  it('gives up on a stalled download at the time limit', async () => {
    const timers = new FakeTimers(new FakeClock());
    const pending = refused(fetchAttachment(stalledAttachment(), { ...limits, timeoutMs: 15_000, timers }));
    await new Promise((resolve) => setImmediate(resolve));
    timers.advance(15_000);
    expect(await pending).toEqual({ problem: 'timedOut', seconds: 15 });
  });

  it('refuses a download that ends before its declared size', async () => {
    const attachment = memoryAttachment(cat.subarray(0, 500), { declaredBytes: 1000 });
    expect(await refused(fetchAttachment(attachment, limits))).toEqual({ problem: 'truncated', received: 500, declared: 1000 });
  });
});

describe('checkPictureHeader', () => {
  it('refuses pixel bombs, text named .jpg and cut-off files from their header', async () => {
    expect(await refused(checkPictureHeader(image('bad/bomb_60000x60000_rgb_header_only.png')))).toMatchObject({ problem: 'image', imageCode: 'TOO_MANY_PIXELS' });
    expect(await refused(checkPictureHeader(image('bad/text_not_an_image.jpg')))).toMatchObject({ problem: 'image', imageCode: 'TEXT' });
    expect(await refused(checkPictureHeader(image('bad/empty_zero_bytes.jpg')))).toMatchObject({ problem: 'image', imageCode: 'EMPTY' });
    expect(await checkPictureHeader(cat)).toMatchObject({ format: 'jpeg' });
  });
});

describe('httpAttachment', () => {
  let server: Server;
  let host: string;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.url} ${req.headers.authorization ?? ''}`);
      if (req.url === '/cat.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(cat);
      if (req.url === '/away') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
      if (req.url === '/here') return void res.writeHead(302, { location: '/cat.jpg' }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const at = (path: string, allowedHosts = [host]): Attachment =>
    httpAttachment({ name: 'cat.jpg', url: `http://${host}${path}`, declaredBytes: null, declaredType: 'image/jpeg', allowedHosts, headers: { authorization: 'Bearer xoxb-test' } });

  it('downloads from an allowed host, following redirects that stay on allowed hosts', async () => {
    expect(await fetchAttachment(at('/cat.jpg'), limits)).toEqual(cat);
    expect(await fetchAttachment(at('/here'), limits)).toEqual(cat);
  });

  it('refuses a foreign host without making a request, also through a redirect', async () => {
    const before = requests.length;
    expect(await refused(fetchAttachment(at('/cat.jpg', ['cdn.discordapp.com']), limits))).toEqual({ problem: 'foreignHost', host });
    expect(requests.length).toBe(before);
    expect(await refused(fetchAttachment(at('/away'), limits))).toEqual({ problem: 'foreignHost', host: '169.254.169.254' });
    // the redirect itself was asked for; the foreign host never was
    expect(requests.slice(before)).toEqual(['/away Bearer xoxb-test']);
    const file = httpAttachment({ name: 'x', url: 'file:///etc/passwd', declaredBytes: null, declaredType: null, allowedHosts: [host] });
    expect(await refused(fetchAttachment(file, limits))).toMatchObject({ problem: 'foreignHost' });
  });

  it('says when the file is gone', async () => {
    expect(await refused(fetchAttachment(at('/expired.jpg'), limits))).toEqual({ problem: 'unavailable', status: 404 });
  });
});

describe('refusal sentences', () => {
  it('say what is wrong with which picture, one sentence per problem', () => {
    const s = 'The content picture';
    const lines = [
      describeAttachmentProblem({ problem: 'tooLarge', bytes: 30_000_000, maxBytes: 25_000_000 }, s),
      describeAttachmentProblem({ problem: 'notAnImage', declaredType: 'application/pdf' }, s),
      describeAttachmentProblem({ problem: 'foreignHost', host: 'evil.example' }, s),
      describeAttachmentProblem({ problem: 'timedOut', seconds: 20 }, s),
      describeAttachmentProblem({ problem: 'truncated', received: 4000, declared: 10_000 }, s),
      describeAttachmentProblem({ problem: 'unavailable', status: 404 }, s),
      describeAttachmentProblem({ problem: 'image', imageCode: 'TOO_MANY_PIXELS', imageDetails: { width: 60000, height: 60000, maxPixels: 40_000_000 } }, s),
    ];
    expect(lines).toEqual([
      'The content picture is 30 MB, over the 25 MB limit: send a smaller or more compressed picture.',
      'The content picture is a file of type application/pdf, not a picture I can use: send a JPEG, PNG, WebP or GIF image.',
      "The content picture is not stored on this platform's file servers (evil.example), so I did not download it: attach the file itself.",
      'The content picture did not download within 20 seconds: try again, or send a smaller file.',
      'The content picture arrived incomplete (4 KB of 10 KB): send it again.',
      'The content picture is no longer available (deleted or expired): attach it again.',
      'The content picture is 60000x60000 pixels, over the 40-megapixel limit: send a smaller picture.',
    ]);
  });
});
