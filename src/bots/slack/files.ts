import type { webApi } from '@slack/bolt';
import { AttachmentRefused } from '../shared/attachment-errors.js';
import { httpAttachment } from '../shared/attachments.js';
import type { Attachment } from '../shared/contract.js';
import type { SlackFile } from './modal.js';
import { platformErrorCode } from './web-errors.js';

/** Slack serves url_private_download from these; anything else is refused without a request. */
export const SLACK_FILE_HOSTS = ['files.slack.com'] as const;

export interface SlackFiles {
  readonly client: webApi.WebClient;
  readonly botToken: string;
  /** SLACK_API_URL, whose host also serves files (tests, proxies) */
  readonly apiUrl: string | undefined;
}

export function allowedFileHosts(apiUrl: string | undefined): string[] {
  return apiUrl ? [...SLACK_FILE_HOSTS, new URL(apiUrl).host] : [...SLACK_FILE_HOSTS];
}

/**
 * A Slack file as the core's Attachment: downloaded from url_private_download with the bot token (Slack's
 * file hosts only). Events may carry a file without its URLs (`file_access: check_file_info`): files.info
 * fills them in, and a missing files:read scope or a deleted file is refused as unavailable.
 */
export async function slackAttachment(file: SlackFile, deps: SlackFiles): Promise<Attachment> {
  let info = file;
  if (!info.url_private_download) {
    try {
      const answer = await deps.client.files.info({ file: file.id });
      info = { ...file, ...(answer.file as SlackFile) };
    } catch (error) {
      const code = platformErrorCode(error);
      const status = code === 'missing_scope' || code === 'not_allowed_token_type' ? 403 : code === 'file_not_found' || code === 'file_deleted' ? 404 : null;
      return refusedAttachment(file, new AttachmentRefused({ problem: 'unavailable', status }, { cause: error }));
    }
  }
  const url = info.url_private_download ?? info.url_private;
  if (!url) return refusedAttachment(info, new AttachmentRefused({ problem: 'unavailable', status: null }));
  return signInMeansForbidden(httpAttachment({
    name: info.name ?? info.title ?? file.id,
    url,
    declaredBytes: typeof info.size === 'number' ? info.size : null,
    declaredType: info.mimetype ?? null,
    allowedHosts: allowedFileHosts(deps.apiUrl),
    headers: { Authorization: `Bearer ${deps.botToken}` },
    // Slack answers a download it refuses (no files:read, a revoked token) with a redirect to its sign-in
    // page: that is "unavailable", not a foreign host
    maxRedirects: 0,
  }));
}

/** Slack's redirect to its sign-in page is its way of saying 403: the words for a missing permission fit. */
function signInMeansForbidden(attachment: Attachment): Attachment {
  return {
    ...attachment,
    open: async (signal) => {
      try {
        return await attachment.open(signal);
      } catch (error) {
        if (error instanceof AttachmentRefused && error.details.problem === 'unavailable' && error.details.status !== null && error.details.status >= 300 && error.details.status < 400) {
          throw new AttachmentRefused({ problem: 'unavailable', status: 403 }, { cause: error });
        }
        throw error;
      }
    },
  };
}

/** An attachment whose download fails with the refusal found before it: the core words it with the others. */
function refusedAttachment(file: SlackFile, refusal: AttachmentRefused): Attachment {
  return {
    name: file.name ?? file.id,
    declaredBytes: typeof file.size === 'number' ? file.size : null,
    declaredType: file.mimetype ?? null,
    open: () => Promise.reject(refusal),
  };
}
