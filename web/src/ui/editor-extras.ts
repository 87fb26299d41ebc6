/** The lazily loaded rest of CodeMirror's basicSetup, plus the language (see editor-setup.ts). */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { javascript } from '@codemirror/lang-javascript';
import { lintKeymap } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Prec, type Extension } from '@codemirror/state';
import { keymap } from '@codemirror/view';

export function editorExtras(): Extension {
  return [
    javascript({ typescript: true }),
    closeBrackets(),
    autocompletion(),
    highlightSelectionMatches(),
    // basicSetup puts these keys before the default keymap; keep that precedence.
    Prec.high(keymap.of([...closeBracketsKeymap, ...searchKeymap, ...completionKeymap, ...lintKeymap])),
  ];
}
