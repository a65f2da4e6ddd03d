import type { JobRecord } from '../store/index.js';

/** Who asks: adapters fill it from the platform event. */
export interface Requester {
  readonly platform: string;
  readonly serverId: string;
  readonly userId: string;
  /** the platform says this user administers serverId */
  readonly isAdmin?: boolean;
}

type Owned = Pick<JobRecord, 'platform' | 'serverId' | 'userId'>;

/** A job is visible to its owner and to people in its server; to nobody on another platform. */
export function maySee(requester: Requester, job: Owned): boolean {
  return requester.platform === job.platform && (requester.userId === job.userId || requester.serverId === job.serverId);
}

/** Its owner may cancel a job, and so may an admin of the job's server. */
export function mayCancel(requester: Requester, job: Owned): boolean {
  return requester.platform === job.platform && (requester.userId === job.userId || (requester.isAdmin === true && requester.serverId === job.serverId));
}
