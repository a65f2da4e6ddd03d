import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobError, OPTION_KEYS, validatePatch } from '../../src/jobs/index.js';
import { tempDir } from '../store/support.js';
import { picture, refusal as rejected, refusalText, said, startHarness, submission, type Harness } from './support.js';

function refusal(action: () => unknown): JobError {
  try {
    action();
  } catch (error) {
    return error as JobError;
  }
  throw new Error('accepted');
}

describe('option validation', () => {
  it('lists every violation, each in words, with the value given', () => {
    const error = refusal(() => validatePatch({ steps: 0, size: 'big', optimizer: 'sgd', lr: 0, styleBlend: [], scales: [8], layers: 'style=conv9_9', Steps: 5, colour: 'red' }));
    expect(error.code).toBe('INVALID_OPTIONS');
    const lines = said(error).split('\n');
    expect(lines.slice(0, -1)).toEqual([
      'Some options are not valid:',
      '• steps: must be at least 1 (got 0)',
      '• size: must be a number (got "big")',
      '• optimizer: must be one of adam, lbfgs (got "sgd")',
      '• lr: must be above 0 (got 0)',
      '• styleBlend: needs at least 1 value',
      '• scales: must be at least 16',
      "• layers: Layer spec \"style=conv9_9\" is not valid: unknown layer 'conv9_9' (VGG19 has conv1_1 … conv5_4).",
      '• Steps: is not an option: did you mean steps?',
    ]);
    expect(said(error).split('\n').at(-1)).toBe(`• colour: is not an option (known: ${OPTION_KEYS.join(', ')})`);
  });

  it('accepts and keeps only what was given', () => {
    expect(validatePatch({ steps: 10, layers: 'gatys', seed: undefined })).toEqual({ steps: 10, layers: 'gatys' });
    expect(validatePatch(undefined)).toEqual({});
    expect(said(refusal(() => validatePatch('steps=10')))).toBe('Some options are not valid:\n• options: must be a set of named options');
  });
});

describe('submission checks', () => {
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;
  beforeEach(async () => {
    tmp = tempDir();
    h = await startHarness(tmp.dir, { limits: { maxSize: 256, maxSteps: 500 } });
  });
  afterEach(async () => {
    await h.close();
    tmp.cleanup();
  });

  it('refuses options over the server\'s caps and a blend that does not match the pictures', async () => {
    const error = await rejected(h.service
      .submit(submission('alice', { styles: [picture(), picture()], options: { size: 300, scales: [128, 400], steps: 600, styleBlend: [1, 2, 3] } }))
      );
    expect(said(error)).toBe(
      [
        'Some options are not valid:',
        '• size: this server allows at most 256 (got 300)',
        '• scales: this server allows sizes up to 256 (got 400)',
        '• steps: this server allows at most 500 (got 600)',
        '• styleBlend: has 3 weights for 2 style pictures: give one per picture',
      ].join('\n'),
    );
  });

  it('refuses a job without a style picture or with too many, and options that are invalid', async () => {
    expect(await refusalText(h.service.submit(submission('alice', { styles: [] })))).toBe('Attach at least one style picture: the style to paint the content picture in.');
    expect(await refusalText(h.service.submit(submission('alice', { styles: Array.from({ length: 9 }, () => picture()) })))).toBe('Attach at most 8 style pictures (you sent 9).');
    expect(await refusalText(h.service.submit(submission('alice', { options: { steps: 1.5 } })))).toBe('Some options are not valid:\n• steps: must be a whole number (got 1.5)');
    expect(h.fake.runs).toHaveLength(0);
  });

  it('refuses unreadable pictures at submission when given an input check', async () => {
    await h.close();
    h = await startHarness(tmp.dir, {
      deps: {
        checkInputs: async ({ content }) => {
          if (Buffer.from(content).toString().startsWith('broken')) throw new JobError({ code: 'INVALID_INPUT', problem: 'image', picture: { role: 'content', index: 1, count: 1 }, imageCode: 'CORRUPT', imageDetails: {} });
        },
      },
    });
    expect(await refusalText(h.service.submit(submission('alice', { content: Buffer.from('broken!') })))).toMatch(/^The content picture is damaged/);
    await expect(h.service.submit(submission('alice'))).resolves.toMatchObject({ position: 1 });
  });

  it('checks pictures outside the one-at-a-time section: a slow check does not hold up another submission', async () => {
    await h.close();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    h = await startHarness(tmp.dir, {
      deps: { checkInputs: async ({ content }) => (Buffer.from(content).toString().startsWith('slow') ? held : undefined) },
    });
    const slow = h.service.submit(submission('alice', { content: Buffer.from('slow picture') }));
    // bob's job is admitted while alice's pictures are still being checked
    await expect(h.service.submit(submission('bob'))).resolves.toMatchObject({ position: 1 });
    release();
    await expect(slow).resolves.toMatchObject({ job: { userId: 'alice' } });
  });
});
