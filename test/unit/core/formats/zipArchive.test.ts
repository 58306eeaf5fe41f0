import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { memoryByteSource } from '../../../../src/core/byteSource';
import { isZip, readZipArchive } from '../../../../src/core/formats/zipArchive';
import { updateCrc32 } from '../../../../src/core/formats/zipCrc32';
import { openZipMember } from '../../../../src/core/formats/zipMember';
import { runPython } from '../../../helpers/python';

const fixtures = join(__dirname, '../../../fixtures/npz');

/** Python's zipfile view of an archive: name, method, sizes, CRC and header offset of each member. */
function zipfileInfo(bytes: Buffer): { name: string; method: number; compressed: number; size: number; crc: number; offset: number }[] {
  const script = `
import io, json, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
print(json.dumps([{'name': i.filename, 'method': i.compress_type, 'compressed': i.compress_size, 'size': i.file_size,
                   'crc': i.CRC, 'offset': i.header_offset} for i in z.infolist()]))`;
  return JSON.parse(runPython(script, [], bytes));
}

async function readAll(archive: Buffer, name: string): Promise<Uint8Array> {
  const source = memoryByteSource(archive, 'a.zip');
  const entry = (await readZipArchive(source)).entries.find((e) => e.name === name)!;
  const member = openZipMember(source, entry);
  return member.read(0, member.size);
}

describe('zip archives', function () {
  this.timeout(60000);

  it('recognises local headers and the empty archive by their signatures', function () {
    assert.ok(isZip(Uint8Array.of(0x50, 0x4b, 3, 4)));
    assert.ok(isZip(Uint8Array.of(0x50, 0x4b, 5, 6)));
    assert.ok(!isZip(Uint8Array.of(0x50, 0x4b, 1, 2)));
    assert.ok(!isZip(Uint8Array.of(0x50, 0x4b)));
  });

  for (const file of ['savez.npz', 'savez_compressed.npz', 'zip64_forced.npz', 'zip64_records.npz']) {
    it(`reads the central directory of ${file} as Python's zipfile does`, async function () {
      const bytes = readFileSync(join(fixtures, file));
      const { entries } = await readZipArchive(memoryByteSource(bytes, file));
      const want = zipfileInfo(bytes);
      assert.deepEqual(
        entries.map((e) => ({ name: e.name, method: e.method, compressed: e.compressedBytes, size: e.uncompressedBytes, crc: e.crc32, offset: e.localHeaderOffset })),
        want,
      );
    });
  }

  it('reads a ZIP64 archive of 70000 members that Python wrote with a real ZIP64 end record', async function () {
    const script = `
import io, sys, zipfile
f = io.BytesIO()
with zipfile.ZipFile(f, 'w') as z:
    for i in range(70000):
        z.writestr(f'm{i}', bytes([i % 251]))
print(f.getvalue().hex())`;
    const bytes = Buffer.from(runPython(script).trim(), 'hex');
    assert.ok(bytes.includes(Buffer.from([0x50, 0x4b, 6, 6])), 'zipfile wrote a ZIP64 end record');
    const { entries } = await readZipArchive(memoryByteSource(bytes, 'many.zip'));
    assert.equal(entries.length, 70000);
    assert.equal(entries[69999].name, 'm69999');
    assert.deepEqual([...(await readAll(bytes, 'm69999'))], [69999 % 251]);
  });

  it('finds the end record behind an archive comment, and reads members written with data descriptors', async function () {
    const script = `
import io, sys, zipfile
class Pipe(io.RawIOBase):
    def __init__(self): self.chunks = []
    def writable(self): return True
    def write(self, b): self.chunks.append(bytes(b)); return len(b)
p = Pipe()
with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as z:
    z.comment = b'PK\\x05\\x06 looks like a signature but is a comment'
    with z.open('data.bin', 'w') as f:
        f.write(bytes(range(256)) * 100)
print(b''.join(p.chunks).hex())`;
    const bytes = Buffer.from(runPython(script).trim(), 'hex');
    const { entries } = await readZipArchive(memoryByteSource(bytes, 'streamed.zip'));
    assert.equal(entries[0].flags & 0x8, 0x8, 'bit 3: sizes follow the data');
    const data = await readAll(bytes, 'data.bin');
    assert.equal(data.length, 25600);
    assert.ok(data.every((b, i) => b === i % 256));
  });

  it('computes the CRC-32 of zip in any split of the bytes', function () {
    const bytes = randomBytes(100003);
    const whole = updateCrc32(0, bytes);
    assert.equal(whole, zlib.crc32(bytes));
    assert.equal(updateCrc32(updateCrc32(updateCrc32(0, bytes.subarray(0, 3)), bytes.subarray(3, 5000)), bytes.subarray(5000)), whole);
  });

  it('inflates a member front to back in any read pattern, restarting for an earlier offset', async function () {
    const data = randomBytes(300000);
    const script = `
import io, sys, zipfile
f = io.BytesIO()
with zipfile.ZipFile(f, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('d', sys.stdin.buffer.read())
print(f.getvalue().hex())`;
    const archive = Buffer.from(runPython(script, [], data).trim(), 'hex');
    const source = memoryByteSource(archive, 'a.zip');
    const member = openZipMember(source, (await readZipArchive(source)).entries[0]);
    for (const [offset, length] of [[0, 10], [5, 100], [100000, 70000], [299990, 10], [7, 3], [0, 300000]]) {
      assert.deepEqual(Buffer.from(await member.read(offset, length)), data.subarray(offset, offset + length), `${offset}+${length}`);
    }
    // Two passes at once (two jobs on one file) each get their own bytes.
    const ranges = [[200000, 50000], [0, 50000], [250000, 50000], [50000, 50000]];
    const got = await Promise.all(ranges.map(([offset, length]) => member.read(offset, length)));
    got.forEach((bytes, i) => assert.deepEqual(Buffer.from(bytes), data.subarray(ranges[i][0], ranges[i][0] + ranges[i][1])));
  });
});
