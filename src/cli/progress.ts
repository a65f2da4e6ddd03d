import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../engine/index.js';
import type { DownloadProgress } from '../engine/index.js';
import { formatLoss } from '../images/index.js';

/** Where a progress bar may draw: a terminal stream. */
export interface TerminalStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
}

export interface ProgressDisplay<E> {
  update(event: E): void;
  stop(): void;
}

const NONE = { update() {}, stop() {} };

/** Step, losses and ETA on a terminal; nothing at all when stderr is a file or a pipe. */
export function stylizeProgress(stream: TerminalStream): ProgressDisplay<ProgressEvent> {
  if (!stream.isTTY) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'stylize {bar} step {value}/{total} | style {style} content {content} total {totalLoss} | {size} | ETA {eta_formatted}',
      barsize: 24,
      etaBuffer: 20,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(event) {
      const payload = {
        style: formatLoss(event.losses.style),
        content: formatLoss(event.losses.content),
        totalLoss: formatLoss(event.losses.total),
        size: `${event.width}x${event.height}`,
      };
      if (!started) {
        bar.start(event.totalSteps, event.step, payload);
        started = true;
      } else {
        bar.update(event.step, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Megabytes, percentage and ETA of the weights download on a terminal. */
export function downloadProgress(stream: TerminalStream): ProgressDisplay<DownloadProgress> {
  if (!stream.isTTY) return NONE;
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'weights {bar} {percentage}% | {received}/{totalMb} MB | ETA {eta_formatted}',
      barsize: 24,
      etaBuffer: 50,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update({ receivedBytes, totalBytes }) {
      const total = totalBytes ?? Math.max(receivedBytes, 1);
      const payload = { received: mb(receivedBytes), totalMb: totalBytes === undefined ? '?' : mb(totalBytes) };
      if (!started) {
        bar.start(total, receivedBytes, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(receivedBytes, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
