import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { BOOT_PREVIEW_MAX_CHARS, showBootPreview } from './boot-preview.ts';

describe('boot preview (the room text in the loading placeholder)', () => {
  let frames: Array<() => void>;
  beforeEach(() => {
    frames = [];
    vi.stubGlobal('requestAnimationFrame', (callback: () => void) => frames.push(callback));
    vi.stubGlobal('cancelAnimationFrame', (id: number) => {
      frames[id - 1] = () => undefined;
    });
  });
  afterEach(() => vi.unstubAllGlobals());
  const runFrames = () => frames.splice(0).forEach((f) => f());

  it('leaves the placeholder alone while the document is empty, then shows the first text at once', () => {
    const doc = new Y.Doc();
    const pre = { textContent: '1' } as HTMLElement;
    showBootPreview(doc.getText('code'), pre);
    expect(pre.textContent).toBe('1');
    doc.getText('code').insert(0, 'const a = 1;\n');
    expect(pre.textContent).toBe('const a = 1;\n');
  });

  it('shows a stored text at once, and later changes once per frame', () => {
    const doc = new Y.Doc();
    doc.getText('code').insert(0, 'stored');
    const pre = { textContent: '1' } as HTMLElement;
    showBootPreview(doc.getText('code'), pre);
    expect(pre.textContent).toBe('stored');
    doc.getText('code').insert(6, ' and');
    doc.getText('code').insert(10, ' more');
    expect(pre.textContent).toBe('stored');
    expect(frames).toHaveLength(1);
    runFrames();
    expect(pre.textContent).toBe('stored and more');
  });

  it('shows at most BOOT_PREVIEW_MAX_CHARS and stops following the document when stopped', () => {
    const doc = new Y.Doc();
    const pre = { textContent: '' } as HTMLElement;
    const preview = showBootPreview(doc.getText('code'), pre);
    doc.getText('code').insert(0, 'x'.repeat(BOOT_PREVIEW_MAX_CHARS + 10));
    expect(pre.textContent).toHaveLength(BOOT_PREVIEW_MAX_CHARS);
    doc.getText('code').insert(0, 'y');
    preview.stop();
    runFrames();
    expect(pre.textContent?.startsWith('x')).toBe(true);
    doc.getText('code').insert(0, 'z');
    expect(frames).toHaveLength(0);
  });

  it('does nothing without a placeholder', () => {
    const doc = new Y.Doc();
    expect(() => showBootPreview(doc.getText('code'), null).stop()).not.toThrow();
  });
});
