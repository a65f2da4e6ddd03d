import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../../src/bots/slack/logger.js';

describe("Bolt's logger bridged to pino", () => {
  it('writes Bolt, Web API and Socket Mode lines as our JSON log lines, errors with their stack', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const slack = boltLogger(pino({ level: 'debug' }, sink));
    slack.setName('socket-mode:SocketModeClient:0');
    slack.warn('WebSocket error!', new Error('socket closed'));
    slack.info('Now connected to Slack');
    slack.setLevel('error' as never);
    slack.debug('http request url:', { url: 'https://slack.com/api/chat.update' });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'WebSocket error!'],
      // Bolt's info is connection bookkeeping: debug for us
      [20, 'Now connected to Slack'],
      // the operator's LOG_LEVEL decides, not Bolt's setLevel
      [20, 'http request url: {"url":"https://slack.com/api/chat.update"}'],
    ]);
    expect(lines[0]).toMatchObject({ component: 'slack', library: 'socket-mode:SocketModeClient:0', err: { message: 'socket closed' } });
  });
});
