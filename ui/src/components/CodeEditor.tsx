import { useCallback, useEffect, useMemo, useRef } from 'react';
import CodeMirror, { type ReactCodeMirrorRef } from '@uiw/react-codemirror';
import { Decoration, EditorView, GutterMarker, gutter, keymap } from '@codemirror/view';
import { Prec, RangeSetBuilder, type Extension } from '@codemirror/state';
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import { yaml } from '@codemirror/lang-yaml';
import { useThemeMode } from '../theme';
import './code-editor.css';

/** What to offer at a position: see lib/sqlcomplete's completeSql. */
export type Completer = (text: string, pos: number, explicit: boolean) => { from: number; options: { label: string; type: string; detail?: string; info?: string; boost?: number }[] } | null;

export interface CodeEditorHandle {
  /** Replaces the selection with `text` (inserts at the cursor) and focuses the editor. */
  insert: (text: string) => void;
}

class ErrorMarker extends GutterMarker {
  constructor(readonly line: number) {
    super();
  }
  eq(other: ErrorMarker) {
    return other.line === this.line;
  }
  toDOM() {
    const d = document.createElement('div');
    d.className = 'cm-error-marker';
    d.textContent = '●';
    if (this.line > 0) {
      d.dataset.errorLine = String(this.line);
      d.title = `error on line ${this.line}`;
    }
    return d;
  }
}

/**
 * Error markers that stay on their line: a gutter marker (each carries `data-error-line`) and a
 * highlighted line for each of `lines`, and an underline from `at` to the end of its word.
 */
function errorMarks(lines: number[], at?: { line: number; column: number } | null): Extension {
  const set = new Set(lines.filter((n) => n > 0));
  if (at) set.add(at.line);
  if (!set.size) return [];
  return [
    gutter({
      class: 'cm-error-gutter',
      lineMarker: (view, block) => {
        const n = view.state.doc.lineAt(block.from).number;
        return set.has(n) ? new ErrorMarker(n) : null;
      },
      initialSpacer: () => new ErrorMarker(0),
    }),
    EditorView.decorations.of((view) => {
      const doc = view.state.doc;
      const b = new RangeSetBuilder<Decoration>();
      for (const n of [...set].sort((x, y) => x - y)) {
        if (n > doc.lines) continue;
        const line = doc.line(n);
        b.add(line.from, line.from, Decoration.line({ class: 'cm-error-line' }));
        if (at && at.line === n) {
          const from = Math.min(line.to, line.from + Math.max(0, at.column - 1));
          const word = /^[\w$."]*/.exec(doc.sliceString(from, line.to))![0];
          const to = Math.min(line.to, from + Math.max(1, word.length));
          if (to > from) b.add(from, to, Decoration.mark({ class: 'cm-error-at' }));
        }
      }
      return b.finish();
    }),
  ];
}

/**
 * A code editor (CodeMirror 6): highlighting for SQL or YAML, line numbers, undo, bracket
 * matching, search, and for SQL the completions of `complete` (Ctrl+Space asks). Lines in
 * `errorLines` (and the line of `errorAt`) are marked and the first is scrolled into view.
 * Ctrl/Cmd+Enter calls `onRun`. `testId` goes on the editable element.
 */
export default function CodeEditor({ value, onChange, language = 'text', errorLines = [], errorAt, height = 480, onRun, complete, testId, label, handle }: {
  value: string;
  onChange: (v: string) => void;
  language?: 'sql' | 'yaml' | 'text';
  errorLines?: number[];
  errorAt?: { line: number; column: number } | null;
  height?: number;
  onRun?: () => void;
  complete?: Completer;
  testId?: string;
  /** the editor's accessible name */
  label?: string;
  handle?: React.MutableRefObject<CodeEditorHandle | null>;
}) {
  const { mode } = useThemeMode();
  const cm = useRef<ReactCodeMirrorRef>(null);
  const run = useRef(onRun);
  run.current = onRun;
  const completer = useRef(complete);
  completer.current = complete;
  // every prop CodeMirror sees stays the same object while typing: a new one would reconfigure
  // the editor on each keystroke (closing the completion list, resetting undo)
  const change = useRef(onChange);
  change.current = onChange;
  const onDocChange = useCallback((v: string) => change.current(v), []);
  const setup = useMemo(() => ({ foldGutter: language === 'yaml', highlightActiveLineGutter: true, autocompletion: true }), [language]);

  // built once per language: the callbacks are read through refs, so typing never reconfigures
  const base = useMemo<Extension[]>(() => {
    const ext: Extension[] = [
      EditorView.contentAttributes.of({ 'aria-label': label ?? 'Code editor', ...(testId ? { 'data-testid': testId } : {}) }),
      Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { run.current?.(); return !!run.current; } }])),
      EditorView.lineWrapping,
    ];
    if (language === 'sql') {
      ext.push(sql({ dialect: StandardSQL, upperCaseKeywords: true }));
      ext.push(StandardSQL.language.data.of({
        autocomplete: (ctx: CompletionContext): CompletionResult | null => {
          const r = completer.current?.(ctx.state.doc.toString(), ctx.pos, ctx.explicit);
          return r ? { from: r.from, options: r.options, validFor: /^[\w$]*$/ } : null;
        },
      }));
    } else if (language === 'yaml') {
      ext.push(yaml());
    }
    return ext;
  }, [language, testId, label]);

  const errorKey = JSON.stringify([errorLines, errorAt]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const marks = useMemo(() => errorMarks(errorLines, errorAt), [errorKey]);
  const extensions = useMemo(() => [...base, marks], [base, marks]);

  useEffect(() => {
    const view = cm.current?.view;
    const first = Math.min(...errorLines, errorAt?.line ?? Infinity);
    if (!view || !Number.isFinite(first) || first > view.state.doc.lines) return;
    view.dispatch({ effects: EditorView.scrollIntoView(view.state.doc.line(first).from, { y: 'center' }) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [errorKey]);

  useEffect(() => {
    if (!handle) return;
    handle.current = {
      insert: (text) => {
        const view = cm.current?.view;
        if (!view) return;
        view.dispatch(view.state.replaceSelection(text));
        view.focus();
      },
    };
    return () => { handle.current = null; };
  }, [handle]);

  return (
    <div className="code-editor-cm" data-language={language}>
      <CodeMirror
        ref={cm}
        value={value}
        onChange={onDocChange}
        height={`${height}px`}
        theme={mode === 'dark' ? 'dark' : 'light'}
        extensions={extensions}
        basicSetup={setup}
      />
    </div>
  );
}
