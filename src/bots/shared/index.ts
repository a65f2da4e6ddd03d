// The platform-neutral bot core: what the adapters (src/bots/discord|slack|web) and the composition root use.
export * from './contract.js';
export { ACTION_MAX_LENGTH, ACTION_VERSION, ActionCodecError, commandForAction, decodeAction, encodeAction, isOurAction, JOB_ACTIONS, type ActionContext, type ActionProblem, type ButtonAction, type DecodedAction, type JobAction } from './actions.js';
export { AttachmentRefused, isAttachmentRefused, type AttachmentProblem } from './attachment-errors.js';
export { checkDeclared, checkPictureHeader, fetchAttachment, httpAttachment, type FetchLimits, type HttpAttachmentInit } from './attachments.js';
export { createBotCore, type BotCoreHandle } from './core.js';
export { requesterOf, ownerOf, type Handler, type HandlerDeps, type HandlerTable } from './handlers/context.js';
export { JobUpdates } from './job-updates.js';
export * as messages from './messages/index.js';
export type { AttachmentLimits, BotCoreDeps, FollowUpInput, HistoryPage, JobsPort, ResultFilesView, SubmitInput } from './ports.js';
export { conversationOf, isStoredReplyRef, type StoredReplyRef } from './reply-ref.js';
export { systemTimers, type Timers } from './timers.js';
export { DEFAULT_RETRY, withRetry, type RetryPolicy } from './transport-retry.js';
export { descriptorsFor, findDescriptor, OPTION_DESCRIPTORS, parseRawOptions, SLASH_OPTION_LIMIT, type OptionDescriptor, type OptionSurface } from '../../pipeline/index.js';
