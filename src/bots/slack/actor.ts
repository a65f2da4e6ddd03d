import type { webApi } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { dmServerId, type Actor } from '../shared/contract.js';

/** Where a Slack request came from, as its payloads spell it. */
export interface SlackOrigin {
  readonly teamId: string;
  readonly channelId: string;
  readonly threadTs?: string | null;
  readonly userId: string;
  readonly userName?: string;
}

interface Roles {
  readonly isAdmin: boolean;
  readonly displayName?: string;
}

/**
 * Builds the core's Actor. Slack has no per-channel "manage messages": workspace admins and owners are
 * the admins and moderators. Roles come from users.info (users:read), cached briefly so that a burst of
 * commands makes one call; without the scope everyone is a plain member.
 */
export class ActorResolver {
  private readonly roles = new LRUCache<string, Roles>({ max: 2000, ttl: 5 * 60_000 });
  private readonly groups = new LRUCache<string, ReadonlySet<string>>({ max: 4, ttl: 5 * 60_000 });

  constructor(
    private readonly client: webApi.WebClient,
    private readonly logger: Logger,
    /** a user group (SLACK_CHALLENGE_GROUP) whose members may start challenges, besides workspace admins */
    private readonly challengeGroup?: string,
  ) {}

  /**
   * The actor of a `challenge start`: members of the challenge group count as admins for it, and only for
   * it (they get no other admin right). Membership comes from usergroups.users.list (usergroups:read),
   * cached like the roles; when it fails, they are plain members.
   */
  async challengeStarter(actor: Actor): Promise<Actor> {
    if (actor.isAdmin || !this.challengeGroup) return actor;
    return (await this.membersOf(this.challengeGroup)).has(actor.userId) ? { ...actor, isAdmin: true } : actor;
  }

  private async membersOf(group: string): Promise<ReadonlySet<string>> {
    const cached = this.groups.get(group);
    if (cached) return cached;
    let members: ReadonlySet<string> = new Set();
    try {
      const { users } = await this.client.usergroups.users.list({ usergroup: group });
      members = new Set(users ?? []);
    } catch (error) {
      this.logger.warn({ err: error, group }, 'usergroups.users.list failed; the challenge group\'s members count as members');
    }
    this.groups.set(group, members);
    return members;
  }

  async actor(origin: SlackOrigin): Promise<Actor> {
    const roles = await this.rolesOf(origin.userId);
    const isDm = origin.channelId.startsWith('D');
    return {
      platform: 'slack',
      serverId: isDm ? dmServerId(origin.userId) : origin.teamId,
      channelId: origin.channelId,
      threadId: origin.threadTs ?? null,
      userId: origin.userId,
      ...(roles.displayName ?? origin.userName ? { displayName: roles.displayName ?? origin.userName } : {}),
      isAdmin: roles.isAdmin,
      isModerator: roles.isAdmin,
    };
  }

  private async rolesOf(userId: string): Promise<Roles> {
    const cached = this.roles.get(userId);
    if (cached) return cached;
    let roles: Roles = { isAdmin: false };
    try {
      const { user } = await this.client.users.info({ user: userId });
      const name = user?.profile?.display_name || user?.real_name || user?.name;
      roles = { isAdmin: Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner), ...(name ? { displayName: name } : {}) };
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'users.info failed; treating the user as a member');
    }
    this.roles.set(userId, roles);
    return roles;
  }
}
