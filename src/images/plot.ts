import sharp from 'sharp';
import type { StepRecord } from '../engine/index.js';

export interface LossPlotOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  /** long side of each scale of a multi-scale run, to label where each one starts */
  readonly scaleSizes?: readonly number[];
}

type Series = {
  readonly key: 'total' | 'style' | 'content' | 'tv';
  readonly label: string;
  readonly colour: string;
  readonly dash?: string;
};

// Total is dashed: it usually lies on top of the style curve, which would hide a solid line.
const SERIES: readonly Series[] = [
  { key: 'total', label: 'total', colour: '#222222', dash: '5 4' },
  { key: 'style', label: 'style', colour: '#d1495b' },
  { key: 'content', label: 'content', colour: '#00798c' },
  { key: 'tv', label: 'total variation', colour: '#9a8c98' },
];

const MARGIN = { left: 64, right: 16, top: 36, bottom: 44 };
/** Past this many decades the curve's interesting part gets squashed; lower values are clipped. */
const MAX_DECADES = 10;

/**
 * The loss curve as SVG: total, style and content loss (and total variation when it is used) per step,
 * on a log scale. A log scale has no place for zero or negative values (a content loss of exactly 0 at
 * step 0 when starting from the content image) or non-finite ones: those points are left out and the
 * line breaks there instead of diving to the axis.
 */
export function lossPlotSvg(history: readonly StepRecord[], options: LossPlotOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const shown = SERIES.filter((s) => s.key !== 'tv' || history.some((r) => r.tv > 0));
  const positives = history.flatMap((r) => shown.map((s) => r[s.key])).filter((v) => Number.isFinite(v) && v > 0);

  const firstStep = history[0]?.step ?? 0;
  const lastStep = Math.max(firstStep + 1, history.at(-1)?.step ?? 1);
  const x = (step: number) => MARGIN.left + ((step - firstStep) / (lastStep - firstStep)) * plotW;

  let top = 1;
  let bottom = 0;
  if (positives.length > 0) {
    top = Math.ceil(Math.log10(Math.max(...positives)));
    bottom = Math.floor(Math.log10(Math.min(...positives)));
    if (top === bottom) top += 1;
    bottom = Math.max(bottom, top - MAX_DECADES);
  }
  const y = (value: number) => {
    const clipped = Math.max(Math.log10(value), bottom);
    return MARGIN.top + ((top - clipped) / (top - bottom)) * plotH;
  };

  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title ?? 'Loss per step')}</text>`);

  const decadeStep = Math.ceil((top - bottom) / 8);
  for (let d = bottom; d <= top; d += decadeStep) {
    const yy = round(y(10 ** d));
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${yy}" y2="${yy}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${yy + 4}" text-anchor="end" font-size="11">1e${d}</text>`);
  }
  for (const step of niceTicks(firstStep, lastStep, 6)) {
    const xx = round(x(step));
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#555555"/>`);
    parts.push(`<text x="${xx}" y="${MARGIN.top + plotH + 17}" text-anchor="middle" font-size="11">${step}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12">step</text>`);
  parts.push(`<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">loss (log scale)</text>`);

  // Where each scale of a multi-scale run begins.
  history.forEach((r, i) => {
    if (i === 0 || r.scale === history[i - 1]!.scale) return;
    const xx = round(x(r.step));
    const label = options.scaleSizes?.[r.scale] !== undefined ? `${options.scaleSizes[r.scale]} px` : `scale ${r.scale + 1}`;
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#999999" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${xx + 3}" y="${MARGIN.top + 11}" font-size="10" fill="#666666">${escapeXml(label)}</text>`);
  });

  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#555555"/>`);
  // Total last, on top.
  for (const s of [...shown.slice(1), shown[0]!]) {
    const d = pathData(history, s.key, x, y);
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.8" stroke-linejoin="round"${dash}/>`);
  }

  shown.forEach((s, i) => {
    const lx = MARGIN.left + plotW - 150;
    const ly = MARGIN.top + 16 + i * 16;
    const last = [...history].reverse().find((r) => Number.isFinite(r[s.key]) && r[s.key] > 0)?.[s.key];
    const value = last === undefined ? '0' : formatLoss(last);
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="2.5"${dash}/>`);
    parts.push(`<text x="${lx + 24}" y="${ly}" font-size="11">${s.label} ${value}</text>`);
  });

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="DejaVu Sans, Helvetica, Arial, sans-serif">${parts.join('')}</svg>`
  );
}

/** The loss curve rendered to PNG by sharp's SVG renderer (librsvg): no browser, no canvas. */
export async function renderLossPlot(history: readonly StepRecord[], options: LossPlotOptions = {}): Promise<Buffer> {
  return sharp(Buffer.from(lossPlotSvg(history, options)), { density: 72 }).png({ compressionLevel: 9 }).toBuffer();
}

/** A compact loss value for labels and progress lines: 3 significant digits, exponent past 1e4. */
export function formatLoss(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e4 || Math.abs(value) < 1e-2)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

function pathData(
  history: readonly StepRecord[],
  key: Series['key'],
  x: (step: number) => number,
  y: (value: number) => number,
): string {
  let d = '';
  let drawing = false;
  for (const r of history) {
    const v = r[key];
    if (!Number.isFinite(v) || v <= 0) {
      drawing = false;
      continue;
    }
    d += `${drawing ? 'L' : 'M'}${round(x(r.step))} ${round(y(v))}`;
    drawing = true;
  }
  return d;
}

function niceTicks(from: number, to: number, count: number): number[] {
  const span = Math.max(1, to - from);
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const niceStep = Math.max(1, step);
  const ticks: number[] = [];
  for (let t = Math.ceil(from / niceStep) * niceStep; t <= to; t += niceStep) ticks.push(t);
  return ticks;
}

const round = (v: number) => Math.round(v * 10) / 10;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
