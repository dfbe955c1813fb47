import { describe, expect, it } from 'vitest';
import { defaultGrain } from './grain';

describe('defaultGrain', () => {
  it('fits the grain to the range', () => {
    expect(defaultGrain(['2024-03-01', '2024-03-31'])).toBe('day');
    expect(defaultGrain(['2024-01-01', '2024-03-31'])).toBe('week');
    expect(defaultGrain(['2024-01-01', '2024-12-31'])).toBe('month');
    expect(defaultGrain(['2020-01-01', '2024-12-31'])).toBe('quarter');
    expect(defaultGrain(['2000-01-01', '2024-12-31'])).toBe('year');
  });
  it('is month without a range or with a broken one, never none', () => {
    expect(defaultGrain(null)).toBe('month');
    expect(defaultGrain(['2024-12-31', '2024-01-01'])).toBe('month');
    expect(defaultGrain(['soon', 'later'])).toBe('month');
  });
});
