/**
 * Browser signals that a connection may work again now: `online` and `navigator.connection`
 * changes mean the network changed (retry at once, ICE-restart live links); the page becoming
 * visible means timers may have been throttled while hidden (retry what is waiting).
 */
export interface NetworkReactions {
  wake(): void;
  networkChanged(): void;
}

interface NetworkInformationLike extends EventTarget {
  readonly type?: string;
}

export function watchNetwork(reactions: NetworkReactions): () => void {
  const onOnline = () => reactions.networkChanged();
  const onVisible = () => {
    if (document.visibilityState === 'visible') reactions.wake();
  };
  const connection = (navigator as Navigator & { connection?: NetworkInformationLike }).connection;
  window.addEventListener('online', onOnline);
  document.addEventListener('visibilitychange', onVisible);
  connection?.addEventListener('change', onOnline);
  return () => {
    window.removeEventListener('online', onOnline);
    document.removeEventListener('visibilitychange', onVisible);
    connection?.removeEventListener('change', onOnline);
  };
}
