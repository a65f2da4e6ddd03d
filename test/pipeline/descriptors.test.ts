import { describe, expect, it } from 'vitest';
import { descriptorsFor, findDescriptor, OPTION_DESCRIPTORS, parseRawOptions, SLASH_OPTION_LIMIT, stylizeOptionsSchema, STYLIZE_DEFAULTS } from '../../src/pipeline/index.js';

describe('option descriptors', () => {
  it('describe every schema key once, with the schema defaults, ranges, choices and help', () => {
    expect(OPTION_DESCRIPTORS.map((d) => d.key).sort()).toEqual(Object.keys(stylizeOptionsSchema.shape).sort());
    const size = findDescriptor('size')!;
    expect(size).toMatchObject({ kind: 'integer', min: 16, max: 2048, default: STYLIZE_DEFAULTS.size, help: 'long side of the result in pixels while optimising' });
    const lr = findDescriptor('lr')!;
    expect(lr).toMatchObject({ kind: 'number', min: 0, minExclusive: true, max: 10 });
    expect(findDescriptor('optimizer')).toMatchObject({ kind: 'choice', choices: ['adam', 'lbfgs'], default: STYLIZE_DEFAULTS.optimizer });
    // follow-ups set `init: image` with their picture; nobody picks it by hand
    expect(findDescriptor('init')!.choices).toEqual(['noise', 'content']);
    expect(findDescriptor('scales')).toMatchObject({ kind: 'list', item: 'integer', min: 16, max: 4096, maxItems: 8, default: [] });
    expect(findDescriptor('styleBlend')).toMatchObject({ kind: 'list', item: 'number', min: 0, minItems: 1, maxItems: 8 });
    expect(findDescriptor('styleBlend')!.default).toBeUndefined();
    expect(findDescriptor('preserveColors')).toMatchObject({ kind: 'boolean', default: false });
    expect(findDescriptor('layers')).toMatchObject({ kind: 'string', default: 'seed' });
    expect(findDescriptor('seed')!.default).toBeUndefined();
  });

  it('spell each option three ways, and find it by any of them', () => {
    const d = findDescriptor('style_weight')!;
    expect(d.names).toEqual({ key: 'styleWeight', flag: 'style-weight', chat: 'style_weight' });
    expect(d.label).toBe('Style weight');
    for (const name of ['styleWeight', 'style-weight', '--style-weight', 'Style Weight', 'STYLE_WEIGHT']) expect(findDescriptor(name)).toBe(d);
    expect(findDescriptor('frobnicate')).toBeUndefined();
  });

  it('fit the slash command into Discord’s 25 options with the attachments and the preset', () => {
    const slash = descriptorsFor('slash');
    expect(slash.length).toBeGreaterThan(5);
    expect(slash.length).toBeLessThanOrEqual(SLASH_OPTION_LIMIT);
    expect(slash.slice(0, 3).map((d) => d.key)).toEqual(['size', 'steps', 'styleWeight']);
    // chat option names: lower case, at most 32 characters, as Discord requires
    for (const d of slash) expect(d.names.chat).toMatch(/^[a-z0-9_]{1,32}$/);
    expect(descriptorsFor('modal').length).toBeLessThan(descriptorsFor('web').length);
    expect(descriptorsFor('cli').map((d) => d.key)).not.toContain('frameEvery');
  });
});

describe('parseRawOptions', () => {
  it('turns typed text into the options patch, any spelling, empty fields left out', () => {
    const { patch, violations } = parseRawOptions({
      size: ' 128 ',
      style_weight: '1e4',
      'content-weight': '0.5',
      optimizer: 'LBFGS',
      preserve_colors: 'yes',
      scales: '64, 96',
      style_blend: '0.7,0.3',
      layers: 'gatys',
      seed: '',
      steps: '1_000',
    });
    expect(violations).toEqual([]);
    expect(patch).toEqual({ size: 128, styleWeight: 1e4, contentWeight: 0.5, optimizer: 'lbfgs', preserveColors: true, scales: [64, 96], styleBlend: [0.7, 0.3], layers: 'gatys', steps: 1000 });
    expect(stylizeOptionsSchema.safeParse(patch).success).toBe(true);
  });

  it('reports every problem at once, each with the name as typed', () => {
    const { patch, violations } = parseRawOptions({
      size: '9000',
      steps: '2.5',
      lr: '0',
      optimizer: 'sgd',
      preserve_colors: 'maybe',
      scales: '64,x',
      style_blend: '0.5,-1',
      layers: 'conv9_9',
      stlye_weight: '10',
      seed: '12px',
      init: 'image',
      style_weight: '5',
    });
    expect(patch).toEqual({ styleWeight: 5 });
    const byName = Object.fromEntries(violations.map((v) => [v.name, v.message]));
    expect(byName).toEqual({
      size: 'must be at most 2048 (got 9000)',
      steps: 'must be a whole number (got 2.5)',
      lr: 'must be above 0 (got 0)',
      optimizer: 'must be one of adam, lbfgs (got "sgd")',
      preserve_colors: 'must be true or false (got "maybe")',
      scales: 'must be numbers separated by commas, e.g. 0.7,0.3 ("x" is not a number)',
      style_blend: 'each value must be at least 0 (got -1)',
      layers: expect.stringMatching(/conv9_9/),
      stlye_weight: 'is not an option: did you mean style_weight?',
      seed: 'must be a number (got "12px")',
      init: 'must be one of noise, content (got "image")',
    });
    expect(violations.find((v) => v.name === 'size')!.option).toBe('size');
    expect(violations.find((v) => v.name === 'stlye_weight')!.option).toBe('stlye_weight');
  });

  it('refuses the same option given twice in two spellings', () => {
    const { violations } = parseRawOptions({ style_weight: '1', styleWeight: '2' });
    expect(violations).toEqual([{ option: 'styleWeight', name: 'styleWeight', message: 'is given twice' }]);
  });
});
