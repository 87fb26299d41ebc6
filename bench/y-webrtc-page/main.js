// The stack Meshpad is compared with: Yjs + CodeMirror 6 (the same basicSetup, JavaScript mode
// and y-codemirror.next binding as web/src/ui/code-editor.ts) synced by y-webrtc's
// WebrtcProvider, with y-webrtc's defaults except: a local signaling server (no public ones),
// no STUN/TURN servers, and no awareness shown in the editor (Meshpad passes none to yCollab,
// but draws remote carets from its own cursor-pos frames; `awareness=1` gives y-webrtc the same
// feature through its awareness: each page's caret shown in the others).
//
//   /?room=<name>&signaling=ws://127.0.0.1:<port>[&awareness=1]
//
// window.yw mirrors the parts of window.meshpad the bench uses.
import { javascript } from '@codemirror/lang-javascript';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { yCollab } from 'y-codemirror.next';
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';

const params = new URLSearchParams(location.search);
const roomName = params.get('room') ?? 'meshpad-bench';
const signaling = params.get('signaling');
if (!signaling || !/^wss?:\/\/127\.0\.0\.1:\d+\/?$/.test(signaling)) {
  throw new Error('?signaling=ws://127.0.0.1:<port> is required (no public signaling servers)');
}

const doc = new Y.Doc();
const text = doc.getText('code');
const provider = new WebrtcProvider(roomName, doc, {
  signaling: [signaling],
  peerOpts: { config: { iceServers: [] } },
});

const withAwareness = params.get('awareness') === '1';
if (withAwareness) provider.awareness.setLocalStateField('user', { name: `peer-${doc.clientID % 1000}`, color: '#30bced', colorLight: '#30bced33' });

const undoManager = new Y.UndoManager(text);
const view = new EditorView({
  parent: document.getElementById('editor'),
  state: EditorState.create({
    doc: text.toString(),
    extensions: [basicSetup, javascript({ typescript: true }), yCollab(text, withAwareness ? provider.awareness : null, { undoManager })],
  }),
});

/** webrtcConns whose RTCPeerConnection is connected and whose data channel is open. */
function openConns() {
  const room = provider.room;
  if (!room) return [];
  return [...room.webrtcConns.entries()].filter(([, conn]) => {
    const p = conn.peer;
    return conn.connected && !conn.closed && p?._channel?.readyState === 'open' && p?._pc?.connectionState === 'connected';
  });
}

window.yw = {
  view,
  doc,
  provider,
  selfId: () => provider.room?.peerId ?? null,
  signalingPhase: () => (provider.signalingConns.some((c) => c.connected) ? 'connected' : 'connecting'),
  peers: () => openConns().map(([id]) => id),
  text: () => text.toString(),
  /** Closes the RTCPeerConnection to `peer` as a crash would (like meshpad.closeConnection). */
  closeConnection: (peer) => {
    const conn = provider.room?.webrtcConns.get(peer);
    const pc = conn?.peer?._pc;
    if (!pc) return false;
    pc.close();
    return true;
  },
  goOffline: () => provider.disconnect(),
  goOnline: () => provider.connect(),
  updateSize: () => Y.encodeStateAsUpdate(doc).length,
};
