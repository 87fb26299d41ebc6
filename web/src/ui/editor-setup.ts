/**
 * CodeMirror's basicSetup in two parts. The essentials mount with the editor; the language
 * (JavaScript/TypeScript parser), autocompletion, search and lint (about a third of the editor's
 * code) arrive in a second chunk right after, through a compartment. A room page thus shows its
 * text sooner, and highlighting appears a moment later. Undo is not CodeMirror's history (it would
 * undo the other peers' edits too) but the room's Y.UndoManager (code-editor.ts).
 */
import { defaultKeymap } from '@codemirror/commands';
import { foldGutter, indentOnInput, syntaxHighlighting, defaultHighlightStyle, bracketMatching, foldKeymap } from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
  type EditorView,
} from '@codemirror/view';

export const essentialSetup: Extension = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightSpecialChars(),
  foldGutter(),
  drawSelection(),
  dropCursor(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
  bracketMatching(),
  rectangularSelection(),
  crosshairCursor(),
  highlightActiveLine(),
  keymap.of([...defaultKeymap, ...foldKeymap]),
];

/** Where the extras go once loaded; part of the editor's extensions from the start. */
export const extrasSlot = new Compartment();

/** Loads the extras and adds them to `view` (unless it was destroyed meanwhile). */
export async function addEditorExtras(view: EditorView): Promise<void> {
  const { editorExtras } = await import('./editor-extras.ts');
  if (view.dom.isConnected) view.dispatch({ effects: extrasSlot.reconfigure(editorExtras()) });
}
