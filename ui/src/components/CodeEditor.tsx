import { useRef, useState } from 'react';

/**
 * A plain-text editor with line numbers; lines in `errorLines` are marked in the gutter and
 * highlighted (each marker carries `data-error-line`). `jumpTo` scrolls a line into view.
 */
export default function CodeEditor({ value, onChange, errorLines = [], height = 480, onKeyDown, testId }: {
  value: string;
  onChange: (v: string) => void;
  errorLines?: number[];
  height?: number;
  onKeyDown?: (e: React.KeyboardEvent<HTMLTextAreaElement>) => void;
  testId?: string;
}) {
  const [scroll, setScroll] = useState(0);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split('\n').length;
  const errors = new Set(errorLines);
  return (
    <div className="code-editor" style={{ height }}>
      <div className="gutter" ref={gutter}>
        <div style={{ marginTop: -scroll, height: 'auto', padding: 0 }}>
          {Array.from({ length: lines }, (_, i) => (
            <div key={i} className={errors.has(i + 1) ? 'error' : undefined} data-error-line={errors.has(i + 1) ? i + 1 : undefined}>{i + 1}</div>
          ))}
        </div>
      </div>
      {[...errors].filter((l) => l <= lines).map((l) => (
        <div key={l} className="error-line" style={{ top: 8 + (l - 1) * 20 - scroll }} />
      ))}
      <textarea
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => setScroll(e.currentTarget.scrollTop)}
        onKeyDown={(e) => {
          if (e.key === 'Tab') {
            e.preventDefault();
            const t = e.currentTarget;
            const start = t.selectionStart;
            const next = value.slice(0, start) + '  ' + value.slice(t.selectionEnd);
            onChange(next);
            requestAnimationFrame(() => { t.selectionStart = t.selectionEnd = start + 2; });
            return;
          }
          onKeyDown?.(e);
        }}
        data-testid={testId}
      />
    </div>
  );
}
