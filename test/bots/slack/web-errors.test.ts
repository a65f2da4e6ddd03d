import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../../src/bots/shared/contract.js';
import { toTransportError } from '../../../src/bots/slack/web-errors.js';
import { FakeSlack } from './fake/web-api.js';

describe('Web API failures as the core sees them', () => {
  const fake = new FakeSlack({ botToken: 'xoxb-t' });
  let client: webApi.WebClient;
  beforeAll(async () => {
    await fake.start();
    // as the adapter builds it: no retries of its own, rate limits rejected at once
    client = new webApi.WebClient('xoxb-t', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  });
  afterAll(() => fake.close());

  const failure = async (fault: Parameters<FakeSlack['fail']>[1]): Promise<TransportError> => {
    fake.fail('chat.postMessage', fault);
    try {
      await client.chat.postMessage({ channel: 'C1', text: 'x' });
    } catch (error) {
      return toTransportError('chat.postMessage', error);
    }
    throw new Error('the call succeeded');
  };

  it('makes 429 retryable after Retry-After, 5xx retryable, and a missing scope final', async () => {
    expect(await failure({ kind: 'ratelimited', retryAfterSeconds: 7 })).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(await failure({ kind: 'http', status: 502 })).toMatchObject({ retryable: true, retryAfterMs: undefined });
    const scope = await failure({ kind: 'error', error: 'missing_scope' });
    expect(scope).toMatchObject({ retryable: false });
    expect(scope.message).toBe('Slack chat.postMessage: missing_scope (needs files:read)');
    expect(await failure({ kind: 'error', error: 'ratelimited' })).toMatchObject({ retryable: true });
    // the token never appears in what is logged
    expect(JSON.stringify({ m: scope.message })).not.toContain('xoxb');
  });
});
