/** CodeMirror 6 bound to a Y.Text with y-codemirror.next. */
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { CursorAwareness } from '../sync/cursor-awareness.ts';
import { adoptDocumentStyles } from './document-styles.ts';
import { directTyping } from './direct-typing.ts';
import { addEditorExtras, essentialSetup, extrasSlot } from './editor-setup.ts';

// contain: strict includes size containment: the element has no height of its own, so whatever
// places it must size it (the room grid's 1fr cell does); in exchange, editor changes lay out and
// paint only inside it.
const STYLES = css`
  meshpad-editor { display: block; min-height: 0; overflow: hidden; contain: strict; }
  meshpad-editor > .host, meshpad-editor .cm-editor { height: 100%; }
`;

export class CodeEditor extends LitElement {
  static properties = { text: { attribute: false }, awareness: { attribute: false } };

  declare text: Y.Text | undefined;
  declare awareness: CursorAwareness | undefined;
  private view: EditorView | null = null;
  private undoManager: Y.UndoManager | null = null;

  /** Light DOM (see document-styles.ts). */
  protected createRenderRoot(): HTMLElement {
    adoptDocumentStyles(STYLES);
    return this;
  }

  render() {
    return html`<div class="host"></div>`;
  }

  protected updated(changed: PropertyValues<this>): void {
    if (changed.has('text') || changed.has('awareness')) this.mount();
  }

  /** The selected text, or the whole document when nothing is selected (AI context). */
  selectionOrDocument(): string {
    const view = this.view;
    if (!view) return '';
    const { from, to } = view.state.selection.main;
    return from === to ? view.state.doc.toString() : view.state.sliceDoc(from, to);
  }

  /** Inserts at the cursor as one editor transaction, so a single Undo removes it. */
  insertAtCursor(text: string): void {
    const view = this.view;
    if (!view) return;
    const { from, to } = view.state.selection.main;
    // Its own undo step, not merged with typing just before or after it.
    this.undoManager?.stopCapturing();
    view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length }, userEvent: 'input.paste' });
    this.undoManager?.stopCapturing();
    view.focus();
  }

  /** Brings a position into view (following a peer's cursor): centred, or just enough to show it. */
  scrollToIndex(index: number, center: boolean): void {
    const view = this.view;
    if (!view) return;
    const pos = Math.max(0, Math.min(index, view.state.doc.length));
    view.dispatch({ effects: EditorView.scrollIntoView(pos, { y: center ? 'center' : 'nearest', yMargin: 40 }) });
  }

  disconnectedCallback(): void {
    this.view?.destroy();
    this.view = null;
    this.undoManager?.destroy();
    this.undoManager = null;
    super.disconnectedCallback();
  }

  private mount(): void {
    this.view?.destroy();
    this.view = null;
    this.undoManager?.destroy();
    this.undoManager = null;
    const text = this.text;
    if (!text) return;
    const parent = this.renderRoot.querySelector('.host');
    if (!parent) return;
    // Tracks only what this editor typed (y-codemirror adds its origin): Undo never takes back
    // another peer's edits.
    const undoManager = (this.undoManager = new Y.UndoManager(text, { trackedOrigins: new Set() }));
    globalThis.performance?.mark?.('meshpad:editor-mount');
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: text.toString(),
        extensions: [
          essentialSetup,
          directTyping,
          extrasSlot.of([]),
          // CursorAwareness implements the part of y-protocols' Awareness the plugin uses. Highest
          // precedence: its view plugin then runs first on each update, so a keystroke leaves for
          // the peers before the gutters, highlighting and other plugins redraw (bench P2).
          Prec.highest([yCollab(text, (this.awareness ?? null) as Awareness | null, { undoManager }), keymap.of(yUndoManagerKeymap)]),
          EditorView.contentAttributes.of({ 'aria-label': 'Code editor' }),
        ],
      }),
    });
    globalThis.performance?.mark?.('meshpad:editor-mounted');
    void addEditorExtras(this.view);
  }
}

customElements.define('meshpad-editor', CodeEditor);
