import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/engine/index.js';
import { formatLoss, lossPlotSvg, renderLossPlot } from '../../src/images/index.js';

function history(steps: number, opts: { contentZeroAtStart?: boolean; scales?: number } = {}): StepRecord[] {
  const scales = opts.scales ?? 1;
  return Array.from({ length: steps + 1 }, (_, step) => {
    const style = 1e5 * Math.exp(-step / 10) + 10;
    const content = opts.contentZeroAtStart && step === 0 ? 0 : 50 + 500 * (1 - Math.exp(-step / 8));
    return { step, scale: Math.min(scales - 1, Math.floor((step * scales) / (steps + 1))), style, content, tv: 0, total: style + content };
  });
}

describe('loss plot', () => {
  it('renders to a PNG of the requested size', async () => {
    const png = await renderLossPlot(history(60), { width: 640, height: 400 });
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 640, height: 400 });
    // Not a blank canvas: the curves and labels put dark pixels on the white.
    const stats = await sharp(png).stats();
    expect(stats.channels[0]!.min).toBeLessThan(100);
  });

  it('draws total, style and content; total variation only when used', () => {
    const svg = lossPlotSvg(history(20));
    for (const label of ['total', 'style', 'content']) expect(svg).toContain(`>${label} `);
    expect(svg).not.toContain('total variation');
    const withTv = history(20).map((r) => ({ ...r, tv: 3, total: r.total + 3 }));
    expect(lossPlotSvg(withTv)).toContain('total variation');
  });

  it('breaks the line at zero, negative and non-finite values instead of plotting them', () => {
    const records = history(10, { contentZeroAtStart: true });
    records[5] = { ...records[5]!, content: Number.NaN };
    records[7] = { ...records[7]!, content: -1 };
    const svg = lossPlotSvg(records);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const contentPath = /<path d="([^"]+)" fill="none" stroke="#00798c"/.exec(svg)![1]!;
    // Three pieces: steps 1-4, step 6 alone, steps 8-10.
    expect(contentPath.match(/M/g)).toHaveLength(3);
  });

  it('spans whole decades of the log scale', () => {
    const svg = lossPlotSvg(history(30));
    expect(svg).toContain('>1e5<');
    expect(svg).toContain('>1e1<');
  });

  it('survives a history with nothing positive (and renders it)', async () => {
    const flat: StepRecord[] = [{ step: 0, scale: 0, style: 0, content: 0, tv: 0, total: 0 }];
    const png = await renderLossPlot(flat);
    expect((await sharp(png).metadata()).format).toBe('png');
  });

  it('marks where each scale of a multi-scale run starts', () => {
    const svg = lossPlotSvg(history(40, { scales: 2 }), { scaleSizes: [128, 256] });
    expect(svg).toContain('>256 px<');
  });

  it('formats losses compactly', () => {
    expect(formatLoss(123456)).toBe('1.23e+5');
    expect(formatLoss(12.345)).toBe('12.3');
    expect(formatLoss(0)).toBe('0');
    expect(formatLoss(0.00012)).toBe('1.20e-4');
  });
});
