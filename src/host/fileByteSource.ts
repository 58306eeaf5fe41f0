import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ByteSource } from '../core/byteSource';

/** A byte source over a file on disk: positioned reads, so a 2 GB file is never loaded whole. */
export interface FileByteSource extends ByteSource {
  close(): Promise<void>;
}

/** How a file is opened and its headers read. */
export interface FileOpenOptions {
  /**
   * Open, stat and every read on this thread, never through libuv's thread pool: for a process that
   * does nothing else meanwhile (the CLI), where the first asynchronous call started the pool's threads
   * and waited on them, 9-20 ms here before the first byte of a 10^7-element search. Not for the
   * extension host, whose thread must not wait on a slow disk.
   */
  readonly synchronous?: boolean;
}

/** Bytes read between two turns left to the event loop. */
const yieldEveryBytes = 8 * 1024 * 1024;

/** Opens a file read-only; the caller closes it. */
export async function openFileByteSource(path: string, options: FileOpenOptions = {}): Promise<FileByteSource> {
  // node:fs/promises only when used: it brings readline and the file watchers with it (2 ms of every CLI run).
  const handle: FileHandle | undefined = options.synchronous ? undefined : await (require('node:fs/promises') as typeof import('node:fs/promises')).open(path, 'r');
  const fd = handle ? handle.fd : openSync(path, 'r');
  let size: number;
  try {
    size = handle ? (await handle.stat()).size : fstatSync(fd).size;
  } catch (err) {
    if (handle) await handle.close();
    else closeSync(fd);
    throw err;
  }
  let sinceYield = 0;
  let closed = false;
  // Positioned reads until `target` is full or the file ends.
  const readAt = (target: Uint8Array, offset: number): number => {
    let done = 0;
    while (done < target.length) {
      const bytesRead = readSync(fd, target, done, target.length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    sinceYield += done;
    return done;
  };
  // Ctrl-C, progress and anything else waiting get a turn every few MB of synchronous reading.
  const yieldNow = async (): Promise<void> => {
    if (sinceYield < yieldEveryBytes) return;
    sinceYield = 0;
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    name: basename(path),
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(length);
      let done = 0;
      if (handle) {
        while (done < length) {
          const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
      } else {
        await yieldNow();
        done = readAt(buffer, offset);
      }
      return done === length ? buffer : buffer.subarray(0, done);
    },
    // Synchronous positioned reads whatever the options: for the chunks of a pass over a tensor, a
    // thread-pool round trip per chunk costs more than the copy itself (measured: 40 MB in 1 MiB chunks,
    // 10 ms synchronous against 27-45 ms asynchronous).
    async readInto(offset, target) {
      await yieldNow();
      return readAt(target, offset);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (handle) await handle.close();
      else closeSync(fd);
    },
  };
}
