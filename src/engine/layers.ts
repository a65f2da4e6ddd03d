import { EngineError } from './errors.js';
import { convByName, convByNumber, VGG19_CONVS } from './vgg19.js';

/** Which convolution outputs carry which loss. Features are the convolution outputs before ReLU, as in the chapter. */
export interface LayerSelection {
  /** style layers in network order, each with its own multiplier (1 unless the spec says otherwise) */
  readonly style: ReadonlyArray<{ readonly layer: string; readonly weight: number }>;
  /** content layers in network order */
  readonly content: readonly string[];
}

export const LAYER_PRESETS = {
  /** the reference chapter's default `{1:'s', 2:'s', 3:'s', 4:'sc', 5:'s'}` */
  seed: "{1:'s', 2:'s', 3:'s', 4:'sc', 5:'s'}",
  /** Gatys et al. 2016: the first convolution of each block for style, conv4_2 for content */
  gatys: 'style=conv1_1,conv2_1,conv3_1,conv4_1,conv5_1 content=conv4_2',
} as const;

export type LayerPreset = keyof typeof LAYER_PRESETS;

/**
 * Parses a layer spec:
 * - a preset name: `seed`, `gatys`;
 * - the chapter's map of 1-based convolution numbers to roles: `{1:'s', 2:'s', 4:'sc'}`;
 * - names: `style=conv1_1,conv2_1:0.5 content=conv4_2` (optional `:weight` per style layer; parts separated
 *   by spaces or semicolons).
 */
export function parseLayerSpec(spec: string): LayerSelection {
  const trimmed = spec.trim();
  const preset = (LAYER_PRESETS as Record<string, string>)[trimmed.toLowerCase()];
  if (preset !== undefined) return parseLayerSpec(preset);
  const selection = trimmed.startsWith('{') ? parseChapterMap(trimmed) : parseNamed(trimmed);
  if (selection.style.length === 0 && selection.content.length === 0) {
    throw invalid(spec, 'it selects no layer');
  }
  return normalise(selection);
}

/** A canonical string for a selection: equal selections give equal keys (used to cache compiled models). */
export function layerSelectionKey(selection: LayerSelection): string {
  const style = selection.style.map((s) => (s.weight === 1 ? s.layer : `${s.layer}:${s.weight}`)).join(',');
  return `style=${style} content=${selection.content.join(',')}`;
}

/**
 * A canonical string for what a compiled model depends on: which layers carry which loss, not the style
 * layers' multipliers (those are fed at run time).
 */
export function layerStructureKey(selection: LayerSelection): string {
  return `style=${selection.style.map((s) => s.layer).join(',')} content=${selection.content.join(',')}`;
}

/** The deepest convolution the selection uses: the network is cut after it. */
export function lastLayer(selection: LayerSelection): string {
  const used = new Set([...selection.style.map((s) => s.layer), ...selection.content]);
  const last = [...VGG19_CONVS].reverse().find((c) => used.has(c.name));
  if (!last) throw invalid(layerSelectionKey(selection), 'it selects no layer');
  return last.name;
}

export function usedLayers(selection: LayerSelection): string[] {
  const used = new Set([...selection.style.map((s) => s.layer), ...selection.content]);
  return VGG19_CONVS.filter((c) => used.has(c.name)).map((c) => c.name);
}

function parseChapterMap(spec: string): LayerSelection {
  const body = spec.slice(1, spec.endsWith('}') ? -1 : undefined).trim();
  if (!spec.endsWith('}')) throw invalid(spec, "the map must end with '}'");
  const style: Array<{ layer: string; weight: number }> = [];
  const content: string[] = [];
  if (body === '') return { style, content };
  for (const entry of body.split(',')) {
    const match = /^\s*["']?(\d+)["']?\s*:\s*["']?([sc]+)["']?\s*$/i.exec(entry);
    if (!match) throw invalid(spec, `'${entry.trim()}' is not of the form 4:'sc'`);
    const number = Number(match[1]);
    const conv = convByNumber(number);
    if (!conv) throw invalid(spec, `VGG19 has convolutions 1 to ${VGG19_CONVS.length}, not ${number}`);
    const roles = match[2]!.toLowerCase();
    if (roles.includes('s')) style.push({ layer: conv.name, weight: 1 });
    if (roles.includes('c')) content.push(conv.name);
  }
  return { style, content };
}

function parseNamed(spec: string): LayerSelection {
  const style: Array<{ layer: string; weight: number }> = [];
  const content: string[] = [];
  for (const part of spec.split(/[\s;]+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw invalid(spec, `'${part}' should look like style=conv1_1,conv2_1 or content=conv4_2`);
    const role = part.slice(0, eq).toLowerCase();
    const names = part.slice(eq + 1).split(',').filter(Boolean);
    if (role !== 'style' && role !== 'content') throw invalid(spec, `unknown role '${role}' (use style= or content=)`);
    for (const item of names) {
      const [name, weightText] = item.split(':');
      const conv = convByName(name!.toLowerCase()) ?? convByNumberText(name!);
      if (!conv) throw invalid(spec, `unknown layer '${name}' (VGG19 has conv1_1 … conv5_4)`);
      if (role === 'content') {
        if (weightText !== undefined) throw invalid(spec, 'content layers take no weight');
        content.push(conv.name);
      } else {
        const weight = weightText === undefined ? 1 : Number(weightText);
        if (!Number.isFinite(weight) || weight < 0) throw invalid(spec, `'${weightText}' is not a weight >= 0`);
        style.push({ layer: conv.name, weight });
      }
    }
  }
  return { style, content };
}

function convByNumberText(text: string) {
  return /^\d+$/.test(text) ? convByNumber(Number(text)) : undefined;
}

/** Network order, duplicates merged (weights of a repeated style layer add up). */
function normalise(selection: LayerSelection): LayerSelection {
  const order = (name: string) => convByName(name)!.number;
  const styleWeights = new Map<string, number>();
  for (const s of selection.style) styleWeights.set(s.layer, (styleWeights.get(s.layer) ?? 0) + s.weight);
  const style = [...styleWeights].map(([layer, weight]) => ({ layer, weight })).sort((a, b) => order(a.layer) - order(b.layer));
  const content = [...new Set(selection.content)].sort((a, b) => order(a) - order(b));
  return { style, content };
}

function invalid(spec: string, why: string): EngineError {
  return new EngineError('LAYER_SPEC_INVALID', `Layer spec "${spec}" is not valid: ${why}.`);
}
