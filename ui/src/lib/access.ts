// Row-level security rules, grants and user attributes as the admin page edits them. The
// server validates everything again; these helpers only turn form text into request bodies and
// say where the text is wrong before anything is sent.

export interface Rule {
  id: number;
  model: string;
  filters: unknown[];
  roles: string[];
  users: string[];
  description: string | null;
}

export type GrantKind = 'model' | 'view' | 'member' | 'data_source';

export interface Grant {
  id: number;
  kind: GrantKind;
  target: string;
  roles: string[];
  users: string[];
  description: string | null;
}

export interface UserWithAttributes {
  id: number;
  username: string;
  role: string;
  disabled: boolean;
  attributes: Record<string, string>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Attributes as `name = value` lines, sorted by name. */
export function attributesToText(attributes: Record<string, string>): string {
  return Object.keys(attributes).sort().map((k) => `${k} = ${attributes[k]}`).join('\n');
}

const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** `name = value` lines (blank lines ignored) as an attributes object; errors name the line. */
export function parseAttributes(text: string): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) return { ok: false, error: `line ${i + 1}: write name = value` };
    const name = line.slice(0, eq).trim();
    if (!ATTRIBUTE.test(name)) {
      return { ok: false, error: `line ${i + 1}: '${name}' is not an attribute name (letters, digits, _)` };
    }
    if (name in out) return { ok: false, error: `line ${i + 1}: '${name}' is set twice` };
    out[name] = line.slice(eq + 1).trim();
  }
  return { ok: true, value: out };
}

/** A rule's filters: a JSON list of semantic filters. */
export function parseFilters(text: string): Parsed<unknown[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!Array.isArray(value) || value.length === 0) {
    return { ok: false, error: 'filters are a non-empty JSON list, e.g. [{"member": "customers.region", "operator": "equals", "values": ["{user.region}"]}]' };
  }
  return { ok: true, value };
}

/** A comma- or space-separated list, without blanks and duplicates. */
export function splitList(text: string | undefined): string[] {
  const out: string[] = [];
  for (const part of (text ?? '').split(/[\s,]+/)) {
    if (part !== '' && !out.includes(part)) out.push(part);
  }
  return out;
}

/** Who a rule applies to, or who a grant admits, in words. */
export function audience(roles: string[], users: string[], kind: 'rule' | 'grant'): string {
  const parts = [...roles.map((r) => `role ${r}`), ...users.map((u) => `user ${u}`)];
  if (parts.length > 0) return parts.join(', ');
  return kind === 'rule' ? 'every non-admin' : 'nobody but admins (hidden)';
}
