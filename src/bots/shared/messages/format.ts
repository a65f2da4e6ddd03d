import { formatLoss } from '../../../images/index.js';

/** "40 s", "3 min", "1 h 5 min": short enough for a status line. */
export function shortDuration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h} h${m ? ` ${m} min` : ''}`;
}

/** "about 3 min" */
export const about = (seconds: number) => `about ${shortDuration(seconds)}`;

export const loss = formatLoss;

/** Light markdown every adapter converts: **bold** and `code`. */
export const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
export const bold = (text: string) => `**${text}**`;

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The bytes of a file for people. */
export function fileSize(bytes: number): string {
  return bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} KB` : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}
