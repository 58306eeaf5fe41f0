import { writeSync } from 'node:fs';

/** Where the CLI writes its output or its messages: whole texts, written when the call returns. */
export interface CliOutput {
  write(text: string): void;
  readonly isTTY: boolean;
}

/** A CliOutput on a standard descriptor, and a way to wait until everything written has left. */
export interface DescriptorOutput extends CliOutput {
  /** Resolves once every text is out (at once, unless a full non-blocking pipe handed the rest to Node's stream). */
  flushed(): Promise<void>;
}

/**
 * Standard output or error written with write(2) on its descriptor. Node's process.stdout on a pipe (a
 * search piped to jq, or run by another program) is a socket: making it loads the network modules, 5-9
 * ms of a 320 ms search here. Node's stream (`stream()`) is made only when a write would block (a
 * non-blocking pipe that is full) and then takes the rest, in order. A reader that has gone (EPIPE, as
 * after `| head`) ends the output quietly, as it ends other command-line tools.
 */
export function descriptorOutput(fd: 1 | 2, stream: () => NodeJS.WriteStream): DescriptorOutput {
  let fallback: NodeJS.WriteStream | undefined;
  let closed = false;
  let tty: boolean | undefined;
  return {
    // Asked only for a progress bar (not with --json): node:tty brings the network modules with it.
    get isTTY(): boolean {
      tty ??= (require('node:tty') as typeof import('node:tty')).isatty(fd);
      return tty;
    },
    write(text: string): void {
      if (closed) return;
      if (fallback) {
        fallback.write(text);
        return;
      }
      const bytes = Buffer.from(text, 'utf8');
      let at = 0;
      try {
        while (at < bytes.length) at += writeSync(fd, bytes, at);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          closed = true;
        } else if (code === 'EAGAIN') {
          fallback = stream();
          fallback.write(bytes.subarray(at));
        } else {
          throw err;
        }
      }
    },
    flushed(): Promise<void> {
      const s = fallback;
      return s ? new Promise((resolve) => s.write('', () => resolve())) : Promise.resolve();
    },
  };
}
