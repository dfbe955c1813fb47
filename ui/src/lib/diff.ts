// A line diff (longest common subsequence) for the model version history.

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
  /** line number in the old text (same/removed) */
  oldLine?: number;
  /** line number in the new text (same/added) */
  newLine?: number;
}

export function diffLines(oldText: string, newText: string): DiffLine[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i], oldLine: i + 1, newLine: j + 1 });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push({ kind: 'removed', text: a[i], oldLine: i + 1 });
      i++;
    } else {
      out.push({ kind: 'added', text: b[j], newLine: j + 1 });
      j++;
    }
  }
  for (; i < n; i++) out.push({ kind: 'removed', text: a[i], oldLine: i + 1 });
  for (; j < m; j++) out.push({ kind: 'added', text: b[j], newLine: j + 1 });
  return out;
}
