import { describe, expect, it } from 'vitest';
import { decodeShareCode, encodeShareCode, JobError, type PresetOwner } from '../../src/jobs/index.js';
import { STYLIZE_DEFAULTS } from '../../src/pipeline/index.js';
import { refusal as rejected, harnessPerTest, refusalText, said, submission, type Harness } from './support.js';

const alice: PresetOwner = { platform: 'discord', userId: 'alice' };
const bob: PresetOwner = { platform: 'discord', userId: 'bob' };

describe('presets', () => {
  let h: Harness;
  harnessPerTest((harness) => (h = harness));

  it('saves, lists, shows, replaces and deletes presets by case-insensitive name', async () => {
    await expect(h.service.presets.save(alice, 'Ink', { steps: 300, layers: 'gatys' })).resolves.toMatchObject({ created: true, preset: { name: 'ink' } });
    await h.service.presets.save(alice, 'soft', { tvWeight: 10 });
    await h.service.presets.save(bob, 'ink', { steps: 5 });
    expect((await h.service.presets.list(alice)).map((p) => [p.name, p.options])).toEqual([
      ['ink', { steps: 300, layers: 'gatys' }],
      ['soft', { tvWeight: 10 }],
    ]);
    await expect(h.service.presets.save(alice, 'INK', { steps: 400 })).resolves.toMatchObject({ created: false });
    expect((await h.service.presets.show(alice, ' ink ')).options).toEqual({ steps: 400 });
    await h.service.presets.delete(alice, 'ink');
    expect(await refusalText(h.service.presets.show(alice, 'ink'))).toBe('You have no preset named "ink": list yours to see the names.');
    await expect(h.service.presets.delete(alice, 'ink')).rejects.toMatchObject({ code: 'PRESET_NOT_FOUND' });
    expect((await h.service.presets.show(bob, 'ink')).options).toEqual({ steps: 5 });
  });

  it('refuses bad names, empty presets, invalid options and more presets than allowed', async () => {
    await expect(h.service.presets.save(alice, 'no spaces', { steps: 5 })).rejects.toMatchObject({ code: 'INVALID_PRESET_NAME' });
    await expect(h.service.presets.save(alice, '', { steps: 5 })).rejects.toMatchObject({ code: 'INVALID_PRESET_NAME' });
    expect(await refusalText(h.service.presets.save(alice, 'x', {}))).toContain('• options: a preset needs at least one option');
    await expect(h.service.presets.save(alice, 'x', { steps: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', details: { violations: [{ option: 'steps' }] } });
    for (let i = 0; i < 25; i++) await h.service.presets.save(alice, `p${i}`, { steps: i + 1 });
    expect(await refusalText(h.service.presets.save(alice, 'one-more', { steps: 1 }))).toBe('You have 25 presets, the most allowed: delete one first.');
    await expect(h.service.presets.save(alice, 'p3', { steps: 9 })).resolves.toMatchObject({ created: false });
  });

  it('keeps one default per user, cleared when that preset is deleted', async () => {
    await h.service.presets.save(alice, 'a', { steps: 10 });
    await h.service.presets.save(alice, 'b', { steps: 20 });
    await h.service.presets.setDefault(alice, 'a');
    await h.service.presets.setDefault(alice, 'b');
    expect((await h.service.presets.list(alice)).map((p) => [p.name, p.isDefault])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    await expect(h.service.presets.setDefault(alice, 'zzz')).rejects.toMatchObject({ code: 'PRESET_NOT_FOUND' });
    await h.service.presets.delete(alice, 'b');
    expect(await h.service.presets.getDefault(alice)).toBeNull();
    await h.service.presets.setDefault(alice, 'a');
    await h.service.presets.setDefault(alice, null);
    expect(await h.service.presets.getDefault(alice)).toBeNull();
  });

  it('resolves a job\'s options: explicit > named preset > user default > server defaults > built-in', async () => {
    await h.service.settings.update({ platform: 'discord', serverId: 'guild-1', isAdmin: true, defaults: { size: 100, steps: 10, lr: 0.5, tvWeight: 1 } });
    await h.service.presets.save(alice, 'mine', { steps: 20, lr: 0.2, tvWeight: 2 });
    await h.service.presets.setDefault(alice, 'mine');
    await h.service.presets.save(alice, 'named', { lr: 0.3, tvWeight: 3 });

    const job = await h.service.submit(submission('alice', { options: { tvWeight: 4 }, presetName: 'Named' }));
    const expected = { ...STYLIZE_DEFAULTS, size: 100, steps: 20, lr: 0.3, tvWeight: 4 };
    expect(job.job.options).toEqual(expected);
    expect(job.job.presetName).toBe('named');
    expect((await h.store.jobs.get(job.job.id))!.options).toEqual(expected);
    expect((await h.fake.run(0)).job.options).toEqual(expected);

    // without a named preset the default still applies; bob has none: server and built-in only
    expect((await h.service.submit(submission('alice', { options: {} }))).job.options).toMatchObject({ size: 100, steps: 20, lr: 0.2, tvWeight: 2 });
    expect((await h.service.submit(submission('bob', { options: undefined }))).job.options).toEqual({ ...STYLIZE_DEFAULTS, size: 100, steps: 10, lr: 0.5, tvWeight: 1 });
  });

  it('refuses a job naming a preset the user does not have', async () => {
    await h.service.presets.save(bob, 'bobs', { steps: 5 });
    await expect(h.service.submit(submission('alice', { presetName: 'bobs' }))).rejects.toMatchObject({ code: 'PRESET_NOT_FOUND', details: { name: 'bobs' } });
  });

  it('still lists a stored preset that this version refuses, and says what to fix when it is used', async () => {
    // written as an older release might have: an option that no longer exists, a value now out of range
    await h.store.presets.save(alice, 'old', { steps: 50, sharpen: true, size: 99999 }, new Date());
    const [old] = await h.service.presets.list(alice);
    expect(old).toMatchObject({ name: 'old', options: { steps: 50 } });
    expect(old!.problems.map((p) => p.option)).toEqual(['sharpen', 'size']);
    const error = await rejected(h.service.submit(submission('alice', { presetName: 'old' })));
    expect(said(error)).toMatch(/^The preset "old" has options that are not valid:\n• sharpen: is not an option/);
    await expect(h.service.presets.share(alice, 'old')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('shares a preset as a short code that another user imports', async () => {
    await h.service.presets.save(alice, 'oil-paint', { steps: 300, layers: 'gatys', styleWeight: 1e6, scales: [128, 256], preserveColors: true });
    const code = await h.service.presets.share(alice, 'oil-paint');
    expect(code).toMatch(/^sb1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{8}$/);
    expect(code.length).toBeLessThan(200); // five options: fits in a chat message with room to spare

    const imported = await h.service.presets.import(bob, code);
    expect(imported).toMatchObject({ name: 'oil-paint', options: { steps: 300, layers: 'gatys', styleWeight: 1e6, scales: [128, 256], preserveColors: true } });
    expect(await refusalText(h.service.presets.import(bob, code))).toBe('You already have a preset named "oil-paint": import under another name, or delete yours first.');
    await expect(h.service.presets.import(bob, `\`${code.slice(0, 40)}\n${code.slice(40)}\``, 'Copy')).resolves.toMatchObject({ name: 'copy' });
  });
});

describe('share codes', () => {
  const code = encodeShareCode({ name: 'ink', options: { steps: 300, tvWeight: 2 } });
  const [prefix, payload, check] = code.split('.') as [string, string, string];
  const refusal = (text: string) => {
    try {
      decodeShareCode(text);
    } catch (error) {
      return error as JobError;
    }
    throw new Error(`accepted: ${text}`);
  };

  it('round-trips name and options', () => {
    expect(decodeShareCode(code)).toEqual({ name: 'ink', options: { steps: 300, tvWeight: 2 } });
  });

  it('refuses a code changed after it was made: one character, cut off, or extended', () => {
    const flipped = payload.slice(0, 5) + (payload[5] === 'A' ? 'B' : 'A') + payload.slice(6);
    for (const tampered of [`${prefix}.${flipped}.${check}`, `${prefix}.${payload.slice(0, -2)}.${check}`, `${prefix}.${payload}A.${check}`, `${prefix}.${payload}.${check.slice(0, 7)}x`]) {
      expect(refusal(tampered)).toMatchObject({ code: 'INVALID_SHARE_CODE', details: { problem: 'checksum' } });
    }
    expect(said(refusal(`${prefix}.${flipped}.${check}`))).toBe('That share code was changed or cut off after it was made: copy the whole code again, exactly.');
  });

  it('refuses things that are not codes, and codes of a newer version', () => {
    for (const text of ['', 'hello', 'sb1.', code.replace(/\./g, ''), 'x'.repeat(5000), `sb1.${'%'.repeat(10)}.${check}`]) {
      expect(refusal(text).details).toMatchObject({ problem: 'malformed' });
    }
    expect(refusal(code.replace(/^sb1/, 'sb2')).details).toMatchObject({ problem: 'version' });
  });

  it('validates a well-formed code with a correct checksum like typed options', () => {
    // someone who edits the payload on purpose can recompute the checksum: the options are still checked
    const forged = encodeShareCode({ name: 'huge', options: { steps: 999_999, size: 'big', colour: 1 } as never });
    const error = refusal(forged);
    expect(error.details).toMatchObject({ problem: 'content' });
    expect((error.details as { violations?: Array<{ option: string }> }).violations?.map((v) => v.option)).toEqual(['steps', 'size', 'colour']);
    expect(said(error)).toMatch(/^That share code holds options this bot does not accept:\n• steps: must be at most 5000 \(got 999999\)\n• size: must be a number \(got "big"\)\n• colour: is not an option \(known: steps, /);
    expect(refusal(encodeShareCode({ name: 'Not A Name', options: { steps: 5 } })).details).toMatchObject({ problem: 'content', violations: [{ option: 'name' }] });
  });
});
