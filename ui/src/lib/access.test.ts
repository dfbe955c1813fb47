import { describe, expect, it } from 'vitest';
import { attributesToText, audience, parseAttributes, parseFilters, splitList } from './access';

describe('attributes', () => {
  it('round-trip through name = value lines', () => {
    const text = attributesToText({ team: 'b', region: 'Europe' });
    expect(text).toBe('region = Europe\nteam = b');
    expect(parseAttributes(text)).toEqual({ ok: true, value: { region: 'Europe', team: 'b' } });
  });

  it('keep = signs and spaces inside values, ignore blank lines', () => {
    expect(parseAttributes('\n  filter = a = b c \n')).toEqual({ ok: true, value: { filter: 'a = b c' } });
  });

  it('name the line that is wrong', () => {
    expect(parseAttributes('region = x\nno equals')).toEqual({ ok: false, error: 'line 2: write name = value' });
    expect(parseAttributes('re gion = x')).toMatchObject({ ok: false, error: expect.stringContaining("line 1: 're gion'") });
    expect(parseAttributes('a = 1\na = 2')).toMatchObject({ ok: false, error: expect.stringContaining('set twice') });
  });
});

describe('filters', () => {
  it('accept a non-empty JSON list', () => {
    const f = [{ member: 'customers.region', operator: 'equals', values: ['{user.region}'] }];
    expect(parseFilters(JSON.stringify(f))).toEqual({ ok: true, value: f });
  });

  it('refuse other JSON and broken text', () => {
    expect(parseFilters('[]').ok).toBe(false);
    expect(parseFilters('{"member": "x"}').ok).toBe(false);
    expect(parseFilters('[{').ok).toBe(false);
  });
});

describe('lists and audiences', () => {
  it('split on commas and spaces', () => {
    expect(splitList(' viewer, editor  viewer ,')).toEqual(['viewer', 'editor']);
    expect(splitList(undefined)).toEqual([]);
  });

  it('say what empty means for rules and grants', () => {
    expect(audience([], [], 'rule')).toBe('every non-admin');
    expect(audience([], [], 'grant')).toBe('nobody but admins (hidden)');
    expect(audience(['viewer'], ['ann'], 'grant')).toBe('role viewer, user ann');
  });
});
