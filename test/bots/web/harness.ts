import { readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import pino from 'pino';
import { createWebAdapter, type WebAdapter, type WebServerOptions } from '../../../src/bots/web/index.js';
import type { BotCore } from '../../../src/bots/shared/contract.js';

/** A logger whose lines a test can wait for (an event, not a sleep). */
export class LogLines {
  readonly lines: Array<Record<string, unknown>> = [];
  private readonly waiters = new Set<{ test: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }>();
  readonly logger = pino({ level: 'debug' }, {
    write: (text: string) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      this.lines.push(line);
      for (const waiter of [...this.waiters]) if (waiter.test(line)) { this.waiters.delete(waiter); waiter.resolve(line); }
    },
  });

  waitFor(test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.add({ test, resolve }));
  }
}

export async function startWeb(core: BotCore, options: { token?: string; server?: Partial<WebServerOptions>; logs?: LogLines } = {}): Promise<WebAdapter & { url: string }> {
  const logger = options.logs?.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const adapter = createWebAdapter({ core, logger, config: { port: 0, host: '127.0.0.1', token: options.token }, options: options.server });
  await adapter.start();
  return adapter as WebAdapter & { url: string };
}

/** the upload spool folders this process's web servers have open */
export const spoolFolders = () => readdirSync(os.tmpdir()).filter((name) => name.startsWith('stylebot-web-'));

export interface RawExchange {
  /** everything the server sent before it closed the connection */
  readonly received: string;
  readonly closedAfterMs: number;
}

/**
 * Talks HTTP by hand over a socket: writes `head`, then calls `feed(write)` so a test can trickle the body,
 * and resolves when the server closes the connection.
 */
export function rawExchange(url: string, head: string, feed: (write: (chunk: string) => void, socket: net.Socket) => void): Promise<RawExchange> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => resolve({ received, closedAfterMs: performance.now() - started }));
    socket.on('connect', () => {
      socket.write(head);
      feed((chunk) => {
        if (!socket.destroyed && socket.writable) socket.write(chunk);
      }, socket);
    });
  });
}

export const BOUNDARY = 'stylebotboundary';

export function multipartBody(parts: ReadonlyArray<{ name: string; value?: string; filename?: string; type?: string; bytes?: Uint8Array }>): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`));
    chunks.push(part.bytes ? Buffer.from(part.bytes) : Buffer.from(part.value ?? ''));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

export const multipartHeaders = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
