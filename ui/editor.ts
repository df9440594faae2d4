/**
 * The YAML editor of the what-if view (CodeMirror 6), bundled apart from the app and loaded when that view
 * opens, so that the first paint does not wait for it. It registers `window.netfenceEditor`.
 */
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { tags } from '@lezer/highlight';
import { basicSetup, EditorView } from 'codemirror';
import type { EditorApi, EditorHandle, EditorProblem } from './views/editor-api.ts';

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--bg-input)', color: 'var(--fg)', fontSize: '12.5px', height: '100%' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--fg)' },
  '.cm-gutters': {
    backgroundColor: 'var(--bg-soft)',
    color: 'var(--fg-muted)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--row-hover)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--row-hover)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--selection)',
  },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.cm-tooltip': { backgroundColor: 'var(--bg)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-scroller': { overflow: 'auto' },
});

const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: 'var(--syn-key)' },
  { tag: [tags.string, tags.content], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--syn-number)' },
  { tag: tags.comment, color: 'var(--fg-muted)', fontStyle: 'italic' },
  { tag: [tags.meta, tags.punctuation, tags.separator], color: 'var(--fg-muted)' },
]);

function create(
  parent: HTMLElement,
  doc: string,
  options: { readOnly: boolean; onChange: (text: string) => void; label: string },
): EditorHandle {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        yaml(),
        theme,
        EditorView.lineWrapping,
        syntaxHighlighting(highlight),
        EditorState.readOnly.of(options.readOnly),
        EditorView.editable.of(!options.readOnly),
        EditorView.contentAttributes.of({ 'aria-label': options.label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) options.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  const position = (line: number, column: number): number => {
    const l = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
    return Math.min(l.from + Math.max(0, column - 1), l.to);
  };
  return {
    getValue: () => view.state.doc.toString(),
    setProblems(problems: readonly EditorProblem[]) {
      const diagnostics: Diagnostic[] = problems.map((p) => {
        const from = position(p.line, p.column);
        const lineEnd = view.state.doc.lineAt(from).to;
        return { from, to: Math.max(from, lineEnd), severity: p.severity, message: p.message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    goTo(line: number, column: number) {
      const pos = position(line, column);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}

const api: EditorApi = { create };
(window as unknown as { netfenceEditor: EditorApi }).netfenceEditor = api;
