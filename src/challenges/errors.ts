/**
 * Every way a challenge request is refused, as a code and the facts that make it concrete. No sentences:
 * src/bots/shared/challenges turns them into words, as the job errors are.
 */
export type ChallengeErrorDetails =
  /** starting a challenge takes Manage Server (Discord) or a workspace admin (Slack) */
  | { readonly code: 'NOT_ADMIN' }
  /** ending one early takes a moderator or an admin */
  | { readonly code: 'NOT_MODERATOR'; readonly challengeId: string }
  | { readonly code: 'CHALLENGE_NOT_FOUND'; readonly challengeId: string }
  /** no open challenge in this server (submit without an id) */
  | { readonly code: 'NO_OPEN_CHALLENGE' }
  /** several open: the member must say which */
  | { readonly code: 'WHICH_CHALLENGE'; readonly open: readonly { readonly id: string; readonly title: string }[] }
  | { readonly code: 'CHALLENGE_CLOSED'; readonly challengeId: string; readonly closedAt: Date }
  | { readonly code: 'BAD_DURATION'; readonly text: string; readonly minMs: number; readonly maxMs: number }
  | { readonly code: 'BAD_TITLE'; readonly maxLength: number }
  | { readonly code: 'BAD_STYLE'; readonly maxBytes: number }
  | { readonly code: 'ENTRY_NOT_FOUND'; readonly entryId: string }
  /** the entry was replaced by a newer one of its member, or never finished */
  | { readonly code: 'ENTRY_NOT_CURRENT'; readonly entryId: string }
  | { readonly code: 'OWN_ENTRY'; readonly entryId: string };

export type ChallengeErrorCode = ChallengeErrorDetails['code'];

export class ChallengeError extends Error {
  override readonly name = 'ChallengeError';
  constructor(readonly details: ChallengeErrorDetails, options?: { cause?: unknown }) {
    super(`challenge request refused: ${details.code}`, options);
  }
  get code(): ChallengeErrorCode {
    return this.details.code;
  }
}

export function isChallengeError(error: unknown): error is ChallengeError {
  return error instanceof ChallengeError;
}
