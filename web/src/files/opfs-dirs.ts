/**
 * The OPFS directory of each received file (meshpad-files/<sha256>/), looked up once and cached:
 * a lookup per block cost ~2 ms of main thread each (profiled). Used on the page and in the
 * block worker alike.
 */
const ROOT_DIR = 'meshpad-files';

export class OpfsDirs {
  private root: Promise<FileSystemDirectoryHandle> | null = null;
  private readonly dirs = new Map<string, Promise<FileSystemDirectoryHandle>>();

  rootDir(): Promise<FileSystemDirectoryHandle> {
    this.root ??= navigator.storage.getDirectory().then((opfs) => opfs.getDirectoryHandle(ROOT_DIR, { create: true }));
    return this.root;
  }

  dir(hash: string, create: boolean): Promise<FileSystemDirectoryHandle> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return Promise.reject(new TypeError('not a SHA-256'));
    const cached = this.dirs.get(hash);
    if (cached) return cached;
    const lookup = this.rootDir().then((root) => root.getDirectoryHandle(hash, { create }));
    this.dirs.set(hash, lookup);
    // A failed lookup (not there yet) is not remembered.
    lookup.catch(() => {
      if (this.dirs.get(hash) === lookup) this.dirs.delete(hash);
    });
    return lookup;
  }

  forget(hash: string): void {
    this.dirs.delete(hash);
  }

  /**
   * Runs `write` in the file's directory, created if needed. If the directory was removed under
   * our cached handle (Remove in another tab), once more in a new one.
   */
  async inDir<T>(hash: string, write: (dir: FileSystemDirectoryHandle) => Promise<T>): Promise<T> {
    try {
      return await write(await this.dir(hash, true));
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
      this.forget(hash);
      return write(await this.dir(hash, true));
    }
  }
}
