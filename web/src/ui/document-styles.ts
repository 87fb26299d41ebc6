/**
 * The editor and its ancestors (app shell, room view) render into the light DOM: CodeMirror
 * reads the DOM selection on every update, and inside shadow roots Chromium's selection is
 * markedly slower (measured on a receiving page: ~35 % less main-thread time per remote
 * keystroke in the light DOM). Their styles go to the document instead of a shadow root,
 * scoped by element name.
 */
import type { CSSResult } from 'lit';

export function adoptDocumentStyles(styles: CSSResult): void {
  const sheet = styles.styleSheet;
  if (!sheet || document.adoptedStyleSheets.includes(sheet)) return;
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
