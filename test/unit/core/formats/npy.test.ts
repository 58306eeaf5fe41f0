import { strict as assert } from 'node:assert';
import { memoryByteSource, type ByteSource } from '../../../../src/core/byteSource';
import { CancelledError, TensorFormatError, UsageError } from '../../../../src/core/errors';
import { isNpy, npyTensorName, openNpy } from '../../../../src/core/formats/npy';
import { readNpyHeader } from '../../../../src/core/formats/npyHeader';
import { encodeNpy } from '../../../../src/core/formats/npyWriter';
import { rejectsWith } from '../../../helpers/formatErrors';

/** An .npy file with a header written by hand: magic, version, length field, text, data. */
function npyFile(headerText: string, data: Uint8Array = new Uint8Array(0), version: [number, number] = [1, 0]): Uint8Array {
  const text = version[0] === 3 ? new TextEncoder().encode(headerText) : Uint8Array.from(headerText, (c) => c.charCodeAt(0));
  const lengthBytes = version[0] === 1 ? 2 : 4;
  const file = new Uint8Array(8 + lengthBytes + text.length + data.length);
  file.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1]]);
  const view = new DataView(file.buffer);
  if (lengthBytes === 2) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  file.set(text, 8 + lengthBytes);
  file.set(data, 8 + lengthBytes + text.length);
  return file;
}

function header(descr: string, shape: string, fortranOrder = 'False'): string {
  return `{'descr': '${descr}', 'fortran_order': ${fortranOrder}, 'shape': ${shape}, }\n`;
}

/** A byte source that records every range read. */
function recordingSource(bytes: Uint8Array, name: string): ByteSource & { reads: [number, number][] } {
  const inner = memoryByteSource(bytes, name);
  const reads: [number, number][] = [];
  return { name, size: inner.size, reads, read: (offset, length) => (reads.push([offset, length]), inner.read(offset, length)) };
}

/** Every bit of every value (NaN payloads included), failing at the first that differs. */
function assertSameBits(values: Float64Array, bits: BigUint64Array): void {
  assert.equal(values.length, bits.length);
  const got = new BigUint64Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) if (got[i] !== bits[i]) assert.fail(`[${i}]: ${got[i].toString(16)} instead of ${bits[i].toString(16)}`);
}

describe('openNpy', function () {
  it('lists the tensor from the header alone, named after the file', async function () {
    const bytes = encodeNpy(new Float64Array(1000), [10, 100], 'float64');
    const source = recordingSource(bytes, 'weights.npy');
    const file = await openNpy(source);
    assert.equal(file.format, 'npy');
    assert.deepEqual(file.tensors, [{ name: 'weights', dtype: 'float64', shape: [10, 100], count: 1000, byteSize: 8000 }]);
    assert.ok(source.reads.every(([offset, length]) => offset + length <= 128), 'no data byte read');
  });

  it('takes a given tensor name, and refuses to read another', async function () {
    const file = await openNpy(memoryByteSource(encodeNpy([1, 2], [2], 'uint8'), 'a.npy'), undefined, 'member');
    assert.equal(file.tensors[0].name, 'member');
    await assert.rejects(file.read('a'), (err: unknown) => err instanceof UsageError && err.message === "No tensor 'a' in a.npy; it holds 'member'.");
  });

  it('names tensors after the base name without its extension', function () {
    assert.equal(npyTensorName('weights.npy'), 'weights');
    assert.equal(npyTensorName('model.layer.0.npy'), 'model.layer.0');
    assert.equal(npyTensorName('dir/sub\\x.npy'), 'x');
    assert.equal(npyTensorName('noext'), 'noext');
    assert.equal(npyTensorName('.npy'), '.npy');
  });

  it('recognises .npy by its magic bytes', function () {
    assert.ok(isNpy(encodeNpy([1], [1], 'uint8')));
    assert.ok(!isNpy(Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50])));
    assert.ok(!isNpy(new TextEncoder().encode('PK\x03\x04 not npy')));
  });

  it('reads data in chunks, reporting progress up to 1, with the same values', async function () {
    const count = 2 * 1024 * 1024 + 3;
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = i * 0.5 - 7;
    const source = recordingSource(encodeNpy(values, [count], 'float64'), 'big.npy');
    const file = await openNpy(source);
    const progress: number[] = [];
    const tensor = await file.read('big', { onProgress: (f) => progress.push(f) });
    assert.ok(progress.length >= 2 && progress[progress.length - 1] === 1);
    assert.ok(progress.every((f, i) => i === 0 || f > progress[i - 1]));
    assert.ok(tensor.values.every((v, i) => v === values[i]));
  });

  it('reads float64 in chunks straight into the values through readInto, bit for bit; other byte orders and Fortran order as before', async function () {
    const count = 2 * 1024 * 1024 + 3;
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = Math.sin(i) * 1e3;
    const special = [NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE];
    special.forEach((v, k) => (values[k * 700_001] = v));
    const bits = new BigUint64Array(values.buffer);
    bits[5] = 0x7ff8_0000_dead_beefn; // a NaN with a payload of its own
    const little = encodeNpy(values, [count], 'float64');
    const source = memoryByteSource(little, 'f.npy');
    let intoCalls = 0;
    const counting: ByteSource = { ...source, readInto: (offset, target) => (intoCalls++, source.readInto!(offset, target)) };
    const tensor = await (await openNpy(counting)).read('f');
    assert.ok(intoCalls >= 2, `read in chunks through readInto (${intoCalls} reads)`);
    assertSameBits(tensor.values, bits);

    // Big-endian: read and decoded (the same values); Fortran order: read, then reordered.
    const big = new Uint8Array(little.length);
    big.set(little);
    const headerEnd = little.length - count * 8;
    big.set(new TextEncoder().encode("'descr': '>f8'"), little.indexOf(0x7b) + 1);
    for (let i = headerEnd; i < big.length; i += 8) big.subarray(i, i + 8).reverse();
    const swapped = await (await openNpy(memoryByteSource(big, 'b.npy'))).read('b');
    assertSameBits(swapped.values, bits);
    const fortranValues = values.subarray(0, 3 * 600_000);
    const fortranFile = npyFile(header('<f8', '(3, 600000)', 'True'), new Uint8Array(fortranValues.buffer, 0, fortranValues.length * 8));
    const fortran = await (await openNpy(memoryByteSource(fortranFile, 'o.npy'))).read('o');
    for (let i = 0; i < 3; i++) for (let j = 0; j < 600_000; j++) if (!Object.is(fortran.values[i * 600_000 + j], fortranValues[i + 3 * j])) assert.fail(`[${i}, ${j}]`);

    // A file cut short after it was opened: readInto gets fewer bytes than asked.
    const shrinking: ByteSource = { ...memoryByteSource(little, 't.npy'), readInto: async (offset, target) => (await source.readInto!(offset, target)) - (offset + target.length === little.length ? 5 : 0) };
    await rejectsWith((await openNpy(shrinking)).read('t'), /^t\.npy is truncated: the data of 't' ended after \d+ of \d+ bytes\.$/);
  });

  it('stops with CancelledError when the signal is aborted', async function () {
    const file = await openNpy(memoryByteSource(encodeNpy([1, 2, 3], [3], 'uint8'), 'c.npy'));
    await assert.rejects(file.read('c', { signal: { aborted: true } }), CancelledError);
  });

  it('refuses to read a tensor whose float64 values exceed the limit', async function () {
    const file = await openNpy(memoryByteSource(encodeNpy(new Uint8Array(200), [2, 100], 'uint8'), 'w.npy'), { maxTensorBytes: 1000 });
    await rejectsWith(file.read('w'), "Tensor 'w' in w.npy is too large: 200 elements take 1.6 KiB as float64, above the limit of 1000 bytes; raise the limit with --max-tensor-bytes (CLI) or the clipwise.maxTensorBytes setting.");
    const fits = await openNpy(memoryByteSource(encodeNpy(new Uint8Array(125), [125], 'uint8'), 'w.npy'), { maxTensorBytes: 1000 });
    assert.equal((await fits.read('w')).values.length, 125);
  });

  it('warns when int64 values were rounded to float64', async function () {
    const file = await openNpy(memoryByteSource(encodeNpy([2 ** 60 + 2 ** 10, 3, -(2 ** 62) - 2 ** 12], [3], 'int64'), 'i.npy'));
    const data = new Uint8Array(24);
    const view = new DataView(data.buffer);
    view.setBigInt64(0, 2n ** 53n + 1n, true);
    view.setBigInt64(8, 2n ** 60n + 1n, true);
    view.setBigInt64(16, 5n, true);
    const rounded = await openNpy(memoryByteSource(npyFile(header('<i8', '(3,)'), data), 'r.npy'));
    assert.deepEqual((await file.read('i')).warnings, []);
    const tensor = await rounded.read('r');
    assert.deepEqual(Array.from(tensor.values), [2 ** 53, 2 ** 60, 5]);
    assert.deepEqual(tensor.warnings, ["2 int64 values of 'r' lie beyond 2^53 and were rounded to the nearest float64."]);
  });

  it('ignores bytes after the data as numpy does, and says so', async function () {
    const bytes = new Uint8Array([...encodeNpy([1, 2], [2], 'uint8'), 9, 9, 9]);
    const tensor = await (await openNpy(memoryByteSource(bytes, 't.npy'))).read('t');
    assert.deepEqual(Array.from(tensor.values), [1, 2]);
    assert.deepEqual(tensor.warnings, ["t.npy has 3 bytes after the data of 't'; they were ignored, as numpy ignores them."]);
  });

  it("reads '|', '=' and unprefixed multi-byte descrs in the host's byte order, as numpy does", async function () {
    const data = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    for (const descr of ['|f4', '=f4', 'f4', 'f']) {
      const tensor = await (await openNpy(memoryByteSource(npyFile(header(descr, '(2,)'), data), 'h.npy'))).read('h');
      assert.deepEqual(Array.from(tensor.values), [1.5, -2], descr);
    }
  });

  it('reorders Fortran-order data of any rank into C order', async function () {
    const shape = [2, 3, 1, 4];
    const count = 24;
    const fortran = new Uint8Array(count);
    // Element (i, j, k, l) sits at i + 2j + 6k + 6l in column-major order; give it the value of its C index.
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let l = 0; l < 4; l++) fortran[i + 2 * j + 6 * l] = i * 12 + j * 4 + l;
    const bytes = npyFile(header('|u1', '(2, 3, 1, 4)', 'True'), fortran);
    const tensor = await (await openNpy(memoryByteSource(bytes, 'f.npy'))).read('f');
    assert.deepEqual(tensor.shape, shape);
    assert.deepEqual(Array.from(tensor.values), Array.from({ length: count }, (_, i) => i));
  });

  it('reads headers with double quotes, odd spacing, key order and Python 2 longs', async function () {
    const text = '{"shape":(2L,3L),"fortran_order":False ,  "descr":"<u1"}';
    const info = await readNpyHeader(memoryByteSource(npyFile(text, new Uint8Array(6)), 'p.npy'));
    assert.deepEqual(info.shape, [2, 3]);
    assert.equal(info.dtype, 'uint8');
  });

  it('reports where a header error is', async function () {
    const bytes = npyFile("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}");
    await assert.rejects(openNpy(memoryByteSource(bytes, 'g.npy')), (err: unknown) => {
      assert.ok(err instanceof TensorFormatError);
      assert.equal(err.message, "Invalid header in g.npy: unexpected 'Maybe' at character 35; expected a Python dict literal.");
      assert.equal(err.location.offset, 10 + 34);
      return true;
    });
  });

  it('refuses header values of the wrong kind', async function () {
    const open = (text: string, data?: Uint8Array) => openNpy(memoryByteSource(npyFile(text, data), 'x.npy'));
    await rejectsWith(open(header('<f4', '(2, 3.0)')), 'Invalid shape (2, 3.0) in x.npy; expected a tuple of non-negative integers.');
    await rejectsWith(open(header('<f4', '[2, 3]')), 'Invalid shape [2, 3] in x.npy; expected a tuple of non-negative integers.');
    await rejectsWith(open(header('<f4', '(3)')), 'Invalid shape 3 in x.npy; expected a tuple of non-negative integers.');
    await rejectsWith(open(header('<f4', '(2,)', '1')), 'Invalid fortran_order 1 in x.npy; expected True or False.');
    await rejectsWith(open("{'descr': 4, 'fortran_order': False, 'shape': (1,)}"), "Invalid descr 4 in x.npy; expected a dtype string such as '<f4'.");
    await rejectsWith(open("{'descr': ('<f4', (2,)), 'fortran_order': False, 'shape': (1,)}"),
      "Unsupported subarray dtype ('<f4', (2,)) in x.npy; expected a single real numeric dtype.");
    await rejectsWith(open(header('<f4', '(2,)').replace('}', "'extra': 1}")),
      "Invalid header in x.npy: keys are 'descr', 'fortran_order', 'shape', 'extra'; expected 'descr', 'fortran_order' and 'shape'.");
    await rejectsWith(open('{}'), "Invalid header in x.npy: keys are none; expected 'descr', 'fortran_order' and 'shape'.");
    await rejectsWith(open(header('<f4', '(4294967296, 4294967296)')),
      'Invalid shape (4294967296, 4294967296) in x.npy: 18446744073709551616 elements are more than any file can hold.');
    assert.deepEqual((await open(header('<f2', '(0, 4294967296)'))).tensors[0].count, 0);
  });

  it('reads 0-d, empty and 3.0 (UTF-8) arrays', async function () {
    const zeroD = await (await openNpy(memoryByteSource(npyFile(header('>f8', '()'), Uint8Array.of(0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18)), 'z.npy'))).read('z');
    assert.deepEqual([zeroD.shape, zeroD.count, Array.from(zeroD.values)], [[], 1, [Math.PI]]);
    const empty = await (await openNpy(memoryByteSource(npyFile(header('<i8', '(3, 0)', 'True')), 'e.npy'))).read('e');
    assert.deepEqual([empty.shape, empty.count, empty.values.length], [[3, 0], 0, 0]);
    const utf8 = await openNpy(memoryByteSource(npyFile(header('<u2', '(1,)') + ' # é', Uint8Array.of(1, 2), [3, 0]), 'u.npy'));
    assert.deepEqual(Array.from((await utf8.read('u')).values), [513]);
  });
});
