// Every sentence a user reads, written once. The job service keeps codes and details; these render them.
export { describeFailure, describeJobError, duration, relative } from './job-errors.js';
export { describeAttachmentProblem, pictureSubject } from './attachments.js';
export { about, bold, code, fileSize, plural, shortDuration } from './format.js';
export { commandName, type CommandKey } from './commands.js';
export { optionName, optionProblems, privateInfo, privateProblem, TEXT, TITLES } from './replies.js';
export {
  cancelButton,
  cancelledStatus,
  compactLoss,
  doneStatus,
  failedStatus,
  followUpButtons,
  followUpSubject,
  jobFooter,
  progressLine,
  progressStatus,
  queuedLine,
  queuedStatus,
  recoveredStatus,
  replyCancelled,
  replyDone,
  replyFailed,
  replyRunning,
  resultCard,
  resultImages,
  startedStatus,
  threadTitle,
} from './status.js';
export { fullCard, jobSummaryCard, jobLine } from './cards.js';
