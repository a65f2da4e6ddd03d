import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../../src/bots/slack/index.js';
import { SLASH_COMMANDS } from '../../../src/bots/slack/listeners.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const manifest = readFileSync(path.join(REPO_ROOT, 'slack/manifest.yml'), 'utf8');

describe('the Slack app manifest', () => {
  it('declares exactly the slash commands the app listens to, all at /slack/events', () => {
    const declared = [...manifest.matchAll(/^\s+- command: (\S+)\s*\n\s+url: (\S+)/gm)].map((m) => ({ command: m[1], path: new URL(m[2]!).pathname }));
    expect(declared.map((d) => d.command).sort()).toEqual(Object.values(SLASH_COMMANDS).sort());
    expect(new Set(declared.map((d) => d.path))).toEqual(new Set([SLACK_EVENTS_PATH]));
  });

  it('asks for the scopes the app uses, the app_mention event, and interactivity', () => {
    const scopes = [...manifest.matchAll(/^\s+- ([a-z_.]+:[a-z_.]+|commands)\s*$/gm)].map((m) => m[1]);
    expect(scopes).toEqual(expect.arrayContaining(['app_mentions:read', 'chat:write', 'commands', 'files:read', 'files:write']));
    expect(manifest).toMatch(/bot_events:\s*\n\s+- app_mention/);
    expect(manifest).toMatch(/interactivity:\s*\n\s+is_enabled: true/);
  });
});
