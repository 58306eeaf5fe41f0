import { strict as assert } from 'node:assert';
import { memoryByteSource, type ByteSource } from '../../../../src/core/byteSource';
import { CancelledError, TensorFormatError, UsageError } from '../../../../src/core/errors';
import { maxJsonFileBytes, openJsonTensors } from '../../../../src/core/formats/jsonTensorFile';

function sourceOf(text: string | Uint8Array, name = 'm.json'): ByteSource {
  return memoryByteSource(typeof text === 'string' ? new TextEncoder().encode(text) : text, name);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  return assert.fail('expected a rejection');
}

describe('openJsonTensors', () => {
  it('lists the tensors of a file of named tensors and reads each one', async () => {
    const file = await openJsonTensors(sourceOf('{"w": {"shape": [2, 2], "dtype": "float32", "data": [1, 2, 3, 4]}, "b": [0.5, NaN]}'));
    assert.equal(file.format, 'json');
    assert.deepEqual(file.tensors, [
      { name: 'w', dtype: 'float32', shape: [2, 2], count: 4, byteSize: 0 },
      { name: 'b', dtype: 'float64', shape: [2], count: 2, byteSize: 0 },
    ]);
    const w = await file.read('w');
    assert.deepEqual([w.name, w.dtype, w.shape, Array.from(w.values), w.warnings], ['w', 'float32', [2, 2], [1, 2, 3, 4], []]);
    const b = await file.read('b');
    assert.deepEqual(Array.from(b.values), [0.5, NaN]);
  });

  it('names a single tensor after the source and decodes UTF-8 with a byte-order mark', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('[[1, 2], [3, 4]]')]);
    const file = await openJsonTensors(sourceOf(bytes, 'layer.json'));
    assert.deepEqual(file.tensors.map((t) => [t.name, t.shape]), [['layer', [2, 2]]]);
    assert.deepEqual(Array.from((await file.read('layer')).values), [1, 2, 3, 4]);
  });

  it('points at the first byte that is not UTF-8, by line and column', async () => {
    const cases: readonly [number[], string][] = [
      [[0x5b, 0x31, 0x2c, 0x0a, 0x20, 0x22, 0xc3, 0xa9, 0xff, 0x22, 0x5d], 'm.json is not valid UTF-8 text: byte 0xFF at line 2, column 4.'],
      [[0x5b, 0x22, 0xc0, 0x80, 0x22, 0x5d], 'm.json is not valid UTF-8 text: byte 0xC0 at line 1, column 3.'],
      [[0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d], 'm.json is not valid UTF-8 text: byte 0xED at line 1, column 3.'],
      [[0x5b, 0x22, 0xe2, 0x82], 'm.json is not valid UTF-8 text: byte 0xE2 at line 1, column 3.'],
    ];
    for (const [bytes, message] of cases) {
      const err = await rejection(openJsonTensors(sourceOf(new Uint8Array(bytes))));
      assert.ok(err instanceof TensorFormatError);
      assert.equal(err.message, message);
    }
  });

  it(`refuses a file over ${maxJsonFileBytes / 1024 ** 2} MiB without reading it`, async () => {
    const huge: ByteSource = { name: 'huge.json', size: maxJsonFileBytes + 1, read: () => assert.fail('read called') };
    const err = await rejection(openJsonTensors(huge));
    assert.ok(err instanceof TensorFormatError);
    assert.equal(err.message, 'huge.json is too large to read as JSON: 500.0 MiB; expected at most 500 MiB.');
  });

  it('refuses a tensor over the limit on tensor bytes', async () => {
    const err = await rejection(openJsonTensors(sourceOf('[1, 2, 3, 4, 5]'), { maxTensorBytes: 32 }));
    assert.ok(err instanceof TensorFormatError);
    assert.equal(err.message, 'Array in m.json at line 1, column 1 has more than 4 elements, the most one tensor may hold.');
  });

  it('points at a value the dtype cannot hold although it keeps no spans', async () => {
    const err = await rejection(openJsonTensors(sourceOf('{"a": [1],\n "b": {"dtype": "int8", "data": [[1, 2], [3, 300]]}}')));
    assert.ok(err instanceof TensorFormatError);
    assert.equal(err.message, `Value 300 in tensor 'b' of m.json at line 2, column 46 does not fit dtype "int8"; expected integers from -128 to 127.`);
    assert.deepEqual(err.location, { offset: 56, line: 2, column: 46, entry: 'b' });
  });

  it('refuses unknown names and honours a stop request', async () => {
    const file = await openJsonTensors(sourceOf('[1]'));
    assert.ok((await rejection(file.read('x'))) instanceof UsageError);
    assert.ok((await rejection(file.read('m', { signal: { aborted: true } }))) instanceof CancelledError);
    const fractions: number[] = [];
    await file.read('m', { onProgress: (f) => fractions.push(f) });
    assert.deepEqual(fractions, [1]);
  });
});
