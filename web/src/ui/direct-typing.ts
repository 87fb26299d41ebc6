/**
 * A typed character goes straight into the editor state, without the browser's contenteditable
 * editing. CodeMirror normally lets the browser insert the character into the DOM, then reads the
 * change back (MutationObserver) and dispatches it; in Chromium that native editing took 1.6–1.9
 * ms of the 3.4–3.9 ms from keydown to the keystroke leaving for the peers (docs/decisions.md,
 * "Typing without the browser's contenteditable editing"). For a plain `insertText` (no
 * composition: IME, dead keys and mobile keyboards keep the native path) whose target is exactly
 * the editor's main selection, we cancel the native insert and dispatch the transaction
 * CodeMirror would have built: input handlers first (closeBrackets), otherwise replaceSelection
 * as `input.type`. Anything else (another target range, read-only, a position we cannot map) is
 * left to the browser.
 */
import type { Transaction } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

/** Mobile keyboards edit through composition and ignore a cancelled beforeinput (CodeMirror's own notes). */
const NATIVE_ONLY =
  typeof navigator !== 'undefined' && (/Android|iPhone|iPad|iPod/.test(navigator.userAgent) || (/Macintosh/.test(navigator.userAgent) && navigator.maxTouchPoints > 1));

export const directTyping = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (NATIVE_ONLY || event.inputType !== 'insertText' || event.isComposing || !event.cancelable) return false;
    const text = event.data;
    if (!text || /[\r\n]/.test(text) || view.composing || view.compositionStarted || view.state.readOnly || !view.state.facet(EditorView.editable)) return false;
    const { from, to } = view.state.selection.main;
    if (!targetsRange(view, event, from, to)) return false;
    event.preventDefault();
    let transaction: Transaction | null = null;
    const insert = () => (transaction ??= view.state.update(view.state.replaceSelection(text), { userEvent: 'input.type', scrollIntoView: true }));
    if (!view.state.facet(EditorView.inputHandler).some((handler) => handler(view, from, to, text, insert))) view.dispatch(insert());
    return true;
  },
});

/**
 * Whether the browser would insert at exactly `from`–`to`: its target range, or (Chromium gives
 * none inside a shadow root) its selection, maps to the editor's main selection.
 */
function targetsRange(view: EditorView, event: InputEvent, from: number, to: number): boolean {
  const ranges = event.getTargetRanges();
  if (ranges.length > 1) return false;
  const target = ranges[0] ?? selectionRange(view);
  if (!target) return false;
  const { startContainer, startOffset, endContainer, endOffset } = target;
  if (!view.contentDOM.contains(startContainer) || !view.contentDOM.contains(endContainer)) return false;
  try {
    const a = view.posAtDOM(startContainer, startOffset);
    const b = view.posAtDOM(endContainer, endOffset);
    return Math.min(a, b) === from && Math.max(a, b) === to;
  } catch {
    return false;
  }
}

function selectionRange(view: EditorView): { startContainer: Node; startOffset: number; endContainer: Node; endOffset: number } | null {
  // ShadowRoot.getSelection is Chromium's (CodeMirror reads the selection the same way).
  const root = view.root as DocumentOrShadowRoot & { getSelection?: () => Selection | null };
  const selection = root.getSelection?.() ?? document.getSelection();
  if (!selection || selection.rangeCount !== 1 || !selection.anchorNode || !selection.focusNode) return null;
  return { startContainer: selection.anchorNode, startOffset: selection.anchorOffset, endContainer: selection.focusNode, endOffset: selection.focusOffset };
}
