/**
 * A file's bytes quoted for a message, as Python writes a bytes literal's body: printable ASCII as
 * itself, quote and backslash escaped, every other byte as \xNN ('\x93NUMPY', 'PK\x03\x04').
 */
export function quoteBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x27 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `'${out}'`;
}
