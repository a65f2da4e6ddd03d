import { describe, expect, it } from 'vitest';
import { messagePayload, mrkdwn } from '../../../src/bots/slack/blocks.js';

describe('shared messages as Block Kit', () => {
  it("escapes Slack's control characters and turns **bold** into *bold*", () => {
    expect(mrkdwn('**Job** `abc` <@U1> & <!channel>')).toBe('*Job* `abc` &lt;@U1&gt; &amp; &lt;!channel&gt;');
  });

  it('lays out title, body, fields in sections of ten, buttons and small print within Slack limits', () => {
    const fields = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, value: 'x'.repeat(3000) }));
    const { text, blocks } = messagePayload({
      tone: 'success',
      title: 'T'.repeat(200),
      body: 'line **one**',
      fields,
      actions: [
        { id: 'sb1:seed:abc123', label: 'New seed', style: 'primary' },
        { id: 'sb1:save:abc123', label: 'Save as preset', style: 'secondary', asksFor: { label: 'Preset name', maxLength: 32 } },
      ],
      footer: 'Job abc123',
    });
    expect(text.startsWith('T'.repeat(10))).toBe(true);
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'actions', 'context']);
    const header = blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    const sections = blocks.filter((b) => b.type === 'section' && 'fields' in b) as Array<{ fields: Array<{ text: string }> }>;
    expect(sections.map((s) => s.fields.length)).toEqual([10, 2]);
    expect(Math.max(...sections.flatMap((s) => s.fields.map((f) => f.text.length)))).toBeLessThanOrEqual(2000);
    const buttons = (blocks[4] as { elements: Array<{ action_id: string; value: string; style?: string }> }).elements;
    expect(buttons[0]).toMatchObject({ action_id: 'sb1:seed:abc123', value: 'sb1:seed:abc123', style: 'primary' });
    // a secondary button has no style (Slack knows only primary and danger); one that asks carries its question
    expect(buttons[1]!.style).toBeUndefined();
    expect(JSON.parse(buttons[1]!.value)).toEqual({ ask: { label: 'Preset name', maxLength: 32 } });
  });
});
