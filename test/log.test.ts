import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(new Writable({ write(chunk, _encoding, done) { chunks.push(String(chunk)); done(); } }), { isTTY });
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes one readable line per event on a terminal, with secrets redacted', () => {
    const out = sink(true);
    const logger = createLogger({ level: 'info', destination: out.stream });
    logger.info({ url: 'http://127.0.0.1:3000/', token: 'very-secret-token' }, 'web page ready');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO.*web page ready/);
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(out.text()).not.toContain('very-secret-token');
  });

  it('writes JSON lines elsewhere (a service manager, a pipe)', () => {
    const out = sink(false);
    const logger = createLogger({ level: 'info', destination: out.stream });
    logger.warn({ job: 'abc', config: { password: 'hunter2' } }, 'slow');
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, msg: 'slow', job: 'abc', app: 'stylebot', config: { password: '[Redacted]' } });
  });

  it('follows the level and an explicit choice of format', () => {
    const out = sink(true);
    const logger = createLogger({ level: 'warn', pretty: false, destination: out.stream });
    logger.info('hidden');
    logger.error('shown');
    expect(out.text().trimEnd().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
  });
});
