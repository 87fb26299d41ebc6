/**
 * The start of every "misbehaving sender" test: a raw peer (no FilesRoom, only the fake link)
 * offers `bytes` to `receiver`, the receiver accepts, and the accept it sent comes back decoded.
 */
import type { PeerId } from '../net/protocol.ts';
import { decodeFilesMessage, encodeControl, type ControlMessage } from '../files/file-messages.ts';
import { memorySource } from '../files/file-storage.ts';
import type { FilesRoom } from '../files/files-room.ts';
import { buildManifest } from '../files/manifest.ts';
import type { FakeFilesNet, FakeTransport } from './fake-files-net.ts';

export async function rawOfferAccepted(
  net: FakeFilesNet,
  raw: FakeTransport,
  receiver: { readonly id: PeerId; readonly files: FilesRoom },
  offer: { readonly bytes: Uint8Array; readonly name: string; readonly id: string },
): Promise<{ received: Uint8Array[]; accept: Extract<ControlMessage, { t: 'accept' }> }> {
  const manifest = await buildManifest(memorySource(offer.bytes), offer.name, '');
  const received: Uint8Array[] = [];
  raw.on('message', ({ data }) => received.push(data));
  raw.send(receiver.id, 'files', encodeControl({ t: 'offer', id: offer.id, from: 'Mallory', manifest }));
  const offered = () => receiver.files.list().find((v) => v.direction === 'in' && v.status === 'offered');
  await net.until(() => offered() !== undefined);
  receiver.files.accept(offered()!.key);
  await net.until(() => received.length > 0);
  const accept = decodeFilesMessage(received[0]!);
  if (accept?.kind !== 'control' || accept.message.t !== 'accept') throw new Error('expected accept');
  return { received, accept: accept.message };
}
