import { createHmac } from 'node:crypto';

export interface SignedOptions {
  /** seconds since the epoch; default now (Slack refuses requests older than five minutes) */
  readonly timestamp?: number;
  /** sign with another secret: a forged request */
  readonly secret?: string;
  readonly retryNum?: number;
  readonly retryReason?: string;
}

export interface AppResponse {
  readonly status: number;
  readonly text: string;
  /** the body parsed as JSON, when it is */
  readonly json: Record<string, unknown> | undefined;
}

/**
 * Sends what Slack sends to an app's request URL: a form (slash commands, `payload=` for interactivity) or
 * JSON (events), signed with the signing secret the way Slack signs (`v0=` HMAC-SHA256 of
 * `v0:<timestamp>:<body>`).
 */
export class SlackSender {
  constructor(
    private readonly url: string,
    private readonly signingSecret: string,
  ) {}

  command(fields: Record<string, string>, options?: SignedOptions): Promise<AppResponse> {
    return this.post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', options);
  }

  interactive(payload: Record<string, unknown>, options?: SignedOptions): Promise<AppResponse> {
    return this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options);
  }

  event(body: Record<string, unknown>, options?: SignedOptions): Promise<AppResponse> {
    return this.post(JSON.stringify(body), 'application/json', options);
  }

  async post(body: string, contentType: string, options: SignedOptions = {}): Promise<AppResponse> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', options.secret ?? this.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': signature,
    };
    if (options.retryNum !== undefined) {
      headers['X-Slack-Retry-Num'] = String(options.retryNum);
      headers['X-Slack-Retry-Reason'] = options.retryReason ?? 'http_timeout';
    }
    const response = await fetch(this.url, { method: 'POST', headers, body });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  }
}
