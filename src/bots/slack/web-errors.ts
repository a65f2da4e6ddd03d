import { webApi } from '@slack/bolt';
import { TransportError } from '../shared/contract.js';

/** Platform error codes that mean "Slack had trouble, try again later". */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);


/**
 * Turns a Web API client error into the core's TransportError: rate limits (with Retry-After), 5xx and
 * network failures are retryable, the rest (unknown channel, missing scope) are not. The message names
 * the method and Slack's code, never the token or the request body.
 */
export function toTransportError(method: string, error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return new TransportError(`Slack ${method}: rate limited`, true, error.retryAfter * 1000, { cause: error });
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    const status = error.statusCode;
    const retryAfter = Number(error.headers['retry-after']);
    return new TransportError(`Slack ${method}: HTTP ${status}`, status >= 500 || status === 408 || status === 429, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined, { cause: error });
  }
  if (error instanceof webApi.WebAPIRequestError) {
    return new TransportError(`Slack ${method}: request failed`, true, undefined, { cause: error });
  }
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error ?? 'unknown_error';
    const data = error.data as { readonly needed?: unknown };
    const needed = typeof data.needed === 'string' ? ` (needs ${data.needed})` : '';
    return new TransportError(`Slack ${method}: ${code}${needed}`, TRANSIENT.has(code), undefined, { cause: error });
  }
  return new TransportError(`Slack ${method}: ${error instanceof Error ? error.message : String(error)}`, false, undefined, { cause: error });
}

/** Slack's platform error code of a Web API failure ('missing_scope', 'file_not_found'), if it is one. */
export function platformErrorCode(error: unknown): string | undefined {
  return error instanceof webApi.WebAPIPlatformError ? error.data.error : undefined;
}
