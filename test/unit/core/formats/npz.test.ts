import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';
import { memoryByteSource, type ByteSource } from '../../../../src/core/byteSource';
import { CancelledError, UsageError } from '../../../../src/core/errors';
import { npzTensorName, openNpz } from '../../../../src/core/formats/npz';
import { rejectsWith } from '../../../helpers/formatErrors';
import { runPython } from '../../../helpers/python';

const fixtures = join(__dirname, '../../../fixtures/npz');

/** A byte source that counts the bytes asked of it, and the bytes after its first read (the search for the end record). */
function countingSource(bytes: Uint8Array, name: string): ByteSource & { bytesRead: number; bytesAfterFirstRead: number } {
  const inner = memoryByteSource(bytes, name);
  let reads = 0;
  const source = {
    name,
    size: inner.size,
    bytesRead: 0,
    bytesAfterFirstRead: 0,
    read: (offset: number, length: number) => {
      source.bytesRead += length;
      if (reads++ > 0) source.bytesAfterFirstRead += length;
      return inner.read(offset, length);
    },
  };
  return source;
}

/** An archive numpy writes from Python code that defines the arrays in a dict `a`. */
function savez(kind: 'savez' | 'savez_compressed', arrays: string): Buffer {
  const script = `
import io, numpy as np
rng = np.random.default_rng(5)
${arrays}
f = io.BytesIO()
np.${kind}(f, **a)
print(f.getvalue().hex())`;
  return Buffer.from(runPython(script).trim(), 'hex');
}

/** A one-member archive by hand: `payload` deflated as it is, declaring `declared` uncompressed bytes. */
function oneMember(name: string, payload: Uint8Array, declared: number, crc: number): Uint8Array {
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(payload.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(payload.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const directoryOffset = 30 + nameBytes.length + payload.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + nameBytes.length, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return Buffer.concat([local, nameBytes, payload, central, nameBytes, end]);
}

async function drain(chunks: AsyncIterable<{ values: Float64Array }>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of chunks) for (const v of chunk.values) out.push(v);
  return out;
}

describe('openNpz', function () {
  this.timeout(60000);

  it('names tensors as numpy.load does: the member name without .npy', function () {
    assert.equal(npzTensorName('weight.npy'), 'weight');
    assert.equal(npzTensorName('layer.0/w.npy'), 'layer.0/w');
    assert.equal(npzTensorName('plain'), 'plain');
    assert.equal(npzTensorName('x.npy.npy'), 'x.npy');
  });

  it('lists a stored archive from its directory and headers, reading no array data', async function () {
    const bytes = savez('savez', "a = {'big': rng.standard_normal(1_000_000), 'small': np.arange(3)}");
    const source = countingSource(bytes, 'big.npz');
    const file = await openNpz(source);
    assert.deepEqual(file.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteSize]), [['big', 'float64', [1000000], 8000000], ['small', 'int64', [3], 24]]);
    assert.ok(source.bytesRead < 70000, `${source.bytesRead} bytes read to list an 8 MB archive`);
  });

  it('lists a deflated archive by inflating only the start of each member', async function () {
    const bytes = savez('savez_compressed', "a = {'big': np.repeat(rng.standard_normal(1000), 4000)}");
    const source = countingSource(bytes, 'big.npz');
    await openNpz(source);
    assert.ok(source.bytesRead < 70000 + 8192, `${source.bytesRead} bytes read of ${bytes.length}`);
  });

  it('keeps nothing of the members it inflated to list them', async function () {
    const bytes = savez('savez_compressed', "a = {f'm{i}': np.zeros(500_000) for i in range(200)}");
    assert.ok(bytes.length < 2e6);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // The count is the whole process's: let what earlier tests freed (threads ending, their buffers)
    // settle first, and take the least after a few collections, so that only what is kept counts.
    const settled = async () => {
      let least = Infinity;
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 20));
        least = Math.min(least, process.memoryUsage().arrayBuffers);
      }
      return least;
    };
    const before = await settled();
    const file = await openNpz(memoryByteSource(bytes, 'zeros.npz'));
    assert.equal(file.tensors.length, 200);
    const kept = (await settled()) - before;
    assert.ok(kept < 20 * 1024 * 1024, `${kept} bytes kept after listing 200 members of 4 MB`);
  });

  it('reads a large deflated member whole and in chunks, bit for bit as numpy.load', async function () {
    const bytes = savez('savez_compressed', "a = {'w': np.round(rng.standard_normal(3_000_000), 2).astype('<f4'), 'b': np.arange(5, dtype='>i2')}");
    const file = await openNpz(memoryByteSource(bytes, 'c.npz'));
    const want = JSON.parse(runPython("import io, sys, json, numpy as np\nz = np.load(io.BytesIO(sys.stdin.buffer.read()))\nw = z['w'].astype(float)\nprint(json.dumps([float(w.sum()), float(w[123456]), float(w[-1]), z['b'].tolist()]))", [], bytes));
    const w = await file.read('w');
    let sum = 0;
    for (const v of w.values) sum += v;
    assert.equal(w.values[123456], want[1]);
    assert.equal(w.values[2999999], want[2]);
    assert.ok(Math.abs(sum - want[0]) < 1e-6 * 3e6);
    const streamed = await drain(file.readChunks!('w'));
    assert.equal(streamed.length, 3000000);
    assert.ok(streamed.every((v, i) => Object.is(v, w.values[i])));
    assert.deepEqual([...(await file.read('b')).values], want[3]);
  });

  it('stops a stream that inflates past its declared size while the data is read, reading little more of the archive', async function () {
    const text = "{'descr': '<f8', 'fortran_order': False, 'shape': (2097152,), }";
    const header = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]), Buffer.from(text.padEnd(117) + '\n', 'latin1')]);
    const data = randomBytes(16 * 1024 * 1024);
    const member = Buffer.concat([header, data]);
    const payload = zlib.deflateRawSync(Buffer.concat([member, Buffer.alloc(64 * 1024 * 1024)]), { level: 1 });
    const archive = oneMember('w.npy', payload, member.length, zlib.crc32(member));
    const source = countingSource(archive, 'late_bomb.npz');
    const file = await openNpz(source);
    assert.deepEqual(file.tensors[0].shape, [2 * 1024 * 1024]);
    const before = process.memoryUsage().arrayBuffers;
    await rejectsWith(file.read('w'), "Member 'w.npy' of late_bomb.npz inflates past the 16777344 bytes its directory entry declares; inflating stopped there (the archive is corrupt or a zip bomb).");
    assert.ok(source.bytesRead < member.length + 200000, `${source.bytesRead} compressed bytes read for ${member.length} declared`);
    assert.ok(process.memoryUsage().arrayBuffers - before < 200 * 1024 * 1024);
  });

  it('stops the committed zip bomb after one small push of compressed bytes', async function () {
    const bytes = readFileSync(join(fixtures, 'bad/bomb.npz'));
    const source = countingSource(bytes, 'bomb.npz');
    await rejectsWith(openNpz(source), /inflates past the 928 bytes its directory entry declares/);
    assert.ok(source.bytesAfterFirstRead < 4096 + 200, `${source.bytesAfterFirstRead} of ${bytes.length} bytes read after the end record`);
  });

  it('refuses a deflated member above maxTensorBytes before inflating it, saying how to raise the limit', async function () {
    const bytes = savez('savez_compressed', "a = {'w': np.zeros(1000)}");
    const file = await openNpz(memoryByteSource(bytes, 'z.npz'), { maxTensorBytes: 4000 });
    const message = "Member 'w.npy' of z.npz inflates to 7.9 KiB, above the limit of 3.9 KiB; raise the limit with --max-tensor-bytes (CLI) or the clipwise.maxTensorBytes setting.";
    await rejectsWith(file.read('w'), message);
    await rejectsWith(drain(file.readChunks!('w')), message);
    const raised = await openNpz(memoryByteSource(bytes, 'z.npz'), { maxTensorBytes: 10000 });
    assert.equal((await raised.read('w')).values.length, 1000);
  });

  it('refuses a stored member whose float64 values exceed maxTensorBytes, but streams it', async function () {
    const bytes = savez('savez', "a = {'w': np.arange(1000, dtype='<f4')}");
    const file = await openNpz(memoryByteSource(bytes, 's.npz'), { maxTensorBytes: 4000 });
    await rejectsWith(
      file.read('w'),
      "Tensor 'w' in s.npz is too large: 1000 elements take 7.8 KiB as float64, above the limit of 3.9 KiB; raise the limit with --max-tensor-bytes (CLI) or the clipwise.maxTensorBytes setting.",
    );
    const streamed = await drain(file.readChunks!('w'));
    assert.deepEqual(streamed, Array.from({ length: 1000 }, (_, i) => i));
  });

  it('refuses an unknown tensor name as a usage error', async function () {
    const file = await openNpz(memoryByteSource(readFileSync(join(fixtures, 'positional.npz')), 'positional.npz'));
    await rejectsWith(file.read('arr_2'), "No tensor 'arr_2' in positional.npz; it holds 'arr_0', 'arr_1'.", UsageError);
  });

  it('stops reading when cancelled', async function () {
    const file = await openNpz(memoryByteSource(readFileSync(join(fixtures, 'savez_compressed.npz')), 'c.npz'));
    await assert.rejects(file.read('weight', { signal: { aborted: true } }), CancelledError);
    await assert.rejects(drain(file.readChunks!('weight', { signal: { aborted: true } })), CancelledError);
  });
});
