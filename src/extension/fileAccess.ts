import * as vscode from 'vscode';
import { UsageError } from '../core/errors';
import { openFileByteSource } from '../host/fileByteSource';
import type { WorkerFileRef } from '../protocol/worker';

/** The file's base name, for messages. */
export function fileNameOf(uri: vscode.Uri): string {
  const path = uri.path;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || uri.toString();
}

/**
 * How the worker reaches a file: by path when it is on disk (read by range, never whole), else as
 * bytes read through VS Code's file system, refused above `maxBytes`.
 */
export async function workerFileRef(uri: vscode.Uri, maxBytes: number): Promise<WorkerFileRef> {
  if (uri.scheme === 'file') return { kind: 'path', path: uri.fsPath };
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > maxBytes) {
    throw new UsageError(`${fileNameOf(uri)} is ${stat.size} bytes, above clipwise.maxTensorBytes (${maxBytes}); only files on disk are read in parts.`);
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  return { kind: 'bytes', name: fileNameOf(uri), bytes, version: `${stat.mtime}:${stat.size}` };
}

/** Bytes logged with a format error, so that a bad file can be recognised in a bug report. */
export const loggedHeadBytes = 32;

/** The file's first bytes as hex ("93 4e 55 4d ..."), or undefined when it cannot be read. */
export async function headBytesHex(uri: vscode.Uri): Promise<string | undefined> {
  try {
    let head: Uint8Array;
    if (uri.scheme === 'file') {
      const source = await openFileByteSource(uri.fsPath);
      try {
        head = await source.read(0, Math.min(loggedHeadBytes, source.size));
      } finally {
        await source.close();
      }
    } else {
      head = (await vscode.workspace.fs.readFile(uri)).subarray(0, loggedHeadBytes);
    }
    return Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
  } catch {
    return undefined;
  }
}

/** The tensor file kinds Clipwise reads, by extension (JSON decided by its content or name, see jsonTensorFiles). */
export const binaryTensorExtensions: readonly string[] = ['.npy', '.npz', '.safetensors'];

/** True for a .npy/.npz/.safetensors path. */
export function isBinaryTensorPath(path: string): boolean {
  const lower = path.toLowerCase();
  return binaryTensorExtensions.some((ext) => lower.endsWith(ext));
}
