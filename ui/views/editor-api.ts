/**
 * The contract between the app and the editor bundle (`editor.js`), which is loaded on demand.
 */

export interface EditorProblem {
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface EditorHandle {
  getValue(): string;
  setProblems(problems: readonly EditorProblem[]): void;
  goTo(line: number, column: number): void;
  focus(): void;
  destroy(): void;
}

export interface EditorApi {
  create(
    parent: HTMLElement,
    doc: string,
    options: { readOnly: boolean; onChange: (text: string) => void; label: string },
  ): EditorHandle;
}

let loading: Promise<EditorApi> | undefined;

/** Loads `editor.js` once. */
export function loadEditor(): Promise<EditorApi> {
  loading ??= new Promise<EditorApi>((resolve, reject) => {
    const existing = (window as unknown as { netfenceEditor?: EditorApi }).netfenceEditor;
    if (existing !== undefined) {
      resolve(existing);
      return;
    }
    const script = document.createElement('script');
    script.src = 'editor.js';
    script.onload = () => {
      const api = (window as unknown as { netfenceEditor?: EditorApi }).netfenceEditor;
      if (api === undefined) reject(new Error('the editor did not load'));
      else resolve(api);
    };
    script.onerror = () => reject(new Error('the editor could not be loaded'));
    document.head.append(script);
  });
  return loading;
}
