// The playground in headless Chromium against the whole stack: page -> web adapter -> bot core -> job service
// on a real SQLite file -> pipeline -> engine with the real (conv1..3) weights.
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotCore, type BotCoreHandle } from '../../../src/bots/shared/index.js';
import type { WebAdapter } from '../../../src/bots/web/index.js';
import { Engine } from '../../../src/engine/index.js';
import { createImageInputCheck, createJobService, createPipelineRunner, JobFiles, type JobService } from '../../../src/jobs/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { REAL_WEIGHTS, REPO_ROOT, sharedImage } from '../../helpers/paths.js';
import { tempDir } from '../../store/support.js';
import { startWeb } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The README's picture (only public-domain and CC0 pictures in it) is remade with UPDATE_SCREENSHOT=1; a
// plain test run keeps its screenshot out of the working tree.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? path.join(REPO_ROOT, 'docs/images/playground.png') : path.join(os.tmpdir(), 'stylebot-playground.png');

// Scripts that run in the page (as text: the test's own types know no DOM).
const RECORD_MESSAGES = `(() => {
  window.seen = [];
  new MutationObserver(() => {
    for (const node of document.querySelectorAll('#job-list .message')) {
      window.seen.push({ job: node.closest('.job')?.dataset.job, tone: node.dataset.tone, preview: node.querySelector('img[data-role=preview]') !== null });
    }
  }).observe(document.querySelector('#job-list'), { childList: true, subtree: true, attributes: true });
})()`;
const jobCount = () => `document.querySelectorAll('.job[data-job]').length`;
const newestJob = () => `document.querySelector('.job[data-job]')?.dataset.job`;
type Seen = Array<{ job?: string; tone?: string; preview: boolean }>;

describe.skipIf(!existsSync(CHROMIUM))('the playground in a browser', () => {
  const tmp = tempDir('stylebot-e2e-');
  let engine: Engine;
  let store: Store;
  let service: JobService;
  let core: BotCoreHandle;
  let web: WebAdapter & { url: string };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS });
    store = await openStore({ databasePath: path.join(tmp.dir, 'stylebot.db') });
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    service = createJobService({ store, files: new JobFiles(path.join(tmp.dir, 'data')), runner: createPipelineRunner({ engines: [engine] }), checkInputs: createImageInputCheck(), logger, sweepIntervalMs: 0 });
    await service.start();
    core = createBotCore({ jobs: service, logger, editIntervalMs: 0 });
    web = await startWeb(core);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(web.url);
    await page.waitForSelector('body[data-ready=true]');
    // every message the page shows, as it shows it: progress states last milliseconds and must not be missed
    await page.evaluate(RECORD_MESSAGES);
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await service?.close();
    core?.close();
    await store?.close();
    await engine?.release();
    tmp.cleanup();
  });

  const seen = () => page.evaluate('window.seen') as Promise<Seen>;

  async function fillOptions(options: Record<string, string>) {
    if ((await page.locator('details').getAttribute('open')) === null) await page.getByText('More options').click();
    for (const [name, value] of Object.entries(options)) {
      const input = page.locator(`[name="${name}"]`).first();
      if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
  }

  async function submitVia(content: string, style: string): Promise<string> {
    const before = await page.locator('.job[data-job]').count();
    await page.getByLabel('Content picture').setInputFiles(sharedImage(content));
    await page.getByLabel(/Style pictures/).setInputFiles(sharedImage(style));
    // keyboard, as a person without a mouse would
    await page.getByRole('button', { name: 'Stylize' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(`${jobCount()} > ${before}`);
    return (await page.locator('.job[data-job]').first().getAttribute('data-job'))!;
  }

  const panel = (jobId: string) => page.locator(`.job[data-job="${jobId}"]`);

  it('refuses a file that is not a picture, with the reason next to the input', async () => {
    await page.getByLabel('Content picture').setInputFiles(sharedImage('bad/text_not_an_image.jpg'));
    await page.getByLabel(/Style pictures/).setInputFiles(sharedImage('style/vangogh_starry_night.jpg'));
    await page.getByRole('button', { name: 'Stylize' }).click();
    const error = page.locator('#err-content');
    await error.filter({ hasText: /\w+/ }).waitFor();
    expect(await error.textContent()).toMatch(/picture|image/i);
    expect(await page.getByLabel('Content picture').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.job').count()).toBe(0);
  });

  it('shows the thumbnails of both inputs side by side', async () => {
    await page.getByLabel('Content picture').setInputFiles(sharedImage('content/chelsea_cat.jpg'));
    await page.getByLabel(/Style pictures/).setInputFiles(sharedImage('style/vangogh_starry_night.jpg'));
    const content = await page.locator('#thumbs-content img').boundingBox();
    const style = await page.locator('#thumbs-style img').boundingBox();
    expect(content && style && Math.abs(content.y - style.y) < 2 && style.x > content.x).toBe(true);
  });

  let firstJob: string;

  it('runs a short job live: progress with a preview, then the result, the GIF and the loss curve, and the card', async () => {
    await fillOptions({ size: '64', steps: '24', layers: 'seed', seed: '3' });
    firstJob = await submitVia('content/chelsea_cat.jpg', 'style/vangogh_starry_night.jpg');
    const job = panel(firstJob);
    for (const role of ['result', 'gif', 'plot']) await job.locator(`img[data-role=${role}]`).waitFor({ timeout: 90_000 });
    expect(await job.locator('img[data-role=result]').evaluate((img: { decode(): Promise<void>; naturalWidth: number }) => img.decode().then(() => img.naturalWidth))).toBeGreaterThan(0);
    const states = (await seen()).filter((s) => s.job === firstJob);
    expect(states.some((s) => s.tone === 'progress')).toBe(true);
    expect(states.some((s) => s.tone === 'progress' && s.preview)).toBe(true);
    const card = await job.innerText();
    expect(card).toMatch(/seed/i);
    expect(card).toMatch(/cpu|provider/i);
  });

  it('runs New seed as a second job and shows its own result', async () => {
    await panel(firstJob).getByRole('button', { name: /new seed/i }).click();
    await page.waitForFunction(`${jobCount()} >= 2 && ${newestJob()} !== '${firstJob}'`);
    const second = (await page.locator('.job[data-job]').first().getAttribute('data-job'))!;
    await panel(second).locator('img[data-role=result]').waitFor({ timeout: 90_000 });
    const [a, b] = await Promise.all([firstJob, second].map((id) => panel(id).locator('img[data-role=result]').getAttribute('src')));
    const bytes = await page.evaluate(async (urls) => Promise.all(urls.map(async (u) => [...new Uint8Array(await (await fetch(u!)).arrayBuffer())].join(','))), [a, b]);
    expect(bytes[0]).not.toBe(bytes[1]);
    if ((await page.locator('details').getAttribute('open')) !== null) await page.getByText('More options').click();
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('saves a finished job as a preset through the dialog, and offers it in the form', async () => {
    await panel(firstJob).getByRole('button', { name: /save as preset/i }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill('tiny-cat');
    await dialog.getByRole('textbox').press('Enter');
    await panel(firstJob).locator('.notes .message').filter({ hasText: /tiny-cat/ }).waitFor();
    await page.locator('#preset option[value="tiny-cat"]').waitFor({ state: 'attached' });
  });

  it('cancels a running job from its Cancel button', async () => {
    await fillOptions({ size: '64', steps: '1000' });
    const job = await submitVia('content/coffee_cup.jpg', 'style/hokusai_great_wave.jpg');
    await panel(job).locator('.message[data-tone=progress]').waitFor({ timeout: 60_000 });
    await panel(job).getByRole('button', { name: /cancel/i }).click();
    await panel(job).locator('.messages .message:not([data-tone=progress])').filter({ hasText: /cancel/i }).first().waitFor();
    expect(await page.locator(`.job[data-job="${job}"]`).count()).toBe(1);
    expect(await panel(job).getByRole('button', { name: /cancel/i }).count()).toBe(0);
  });

  it('refuses a photo cut off after its header when it is sent, with the reason next to the input', async () => {
    const before = await page.locator('.job[data-job]').count();
    await page.getByLabel('Content picture').setInputFiles(sharedImage('bad/truncated_40pct_chelsea.jpg'));
    await page.getByLabel(/Style pictures/).setInputFiles(sharedImage('style/vangogh_starry_night.jpg'));
    await page.getByRole('button', { name: 'Stylize' }).click();
    // its header is whole; the submission's trial decode finds the cut, so no job waits in the queue for nothing
    const error = page.locator('#err-content');
    await error.filter({ hasText: /\w+/ }).waitFor();
    expect(await error.textContent()).toMatch(/truncat|damaged|incomplete|broken|cut/i);
    expect(await page.locator('.job[data-job]').count()).toBe(before);
  });

  it('shows the weights download as a progress bar, and where to put the file when it fails', async () => {
    const weights = page.locator('#weights');
    web.reportWeights({ state: 'downloading', receivedBytes: 40_000_000, totalBytes: 80_000_000 });
    await weights.filter({ hasText: '40.0 MB of 80.0 MB' }).waitFor();
    expect(await page.locator('#weights-progress').evaluate((bar: { value: number }) => bar.value)).toBeCloseTo(0.5);
    web.reportWeights({ state: 'failed', message: 'Download it by hand and save it as /cache/vgg19.h5.' });
    await page.locator('#weights-message').filter({ hasText: '/cache/vgg19.h5' }).waitFor();
    web.reportWeights({ state: 'ready' });
    await weights.waitFor({ state: 'hidden' });
    // a page opened later learns the state from the snapshot
    web.reportWeights({ state: 'downloading', receivedBytes: 1_000_000 });
    const fresh = await browser.newPage();
    await fresh.goto(web.url);
    await fresh.locator('#weights').filter({ hasText: '1.0 MB' }).waitFor();
    await fresh.close();
    web.reportWeights({ state: 'ready' });
  });

  it('fits a 375 px wide screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    const inputs = await Promise.all(['#content', '#style'].map((s) => page.locator(s).boundingBox()));
    expect(inputs.every((box) => box !== null && box.x + box.width <= 375)).toBe(true);
  });
});
