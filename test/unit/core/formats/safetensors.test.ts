import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryByteSource, type ByteSource } from '../../../../src/core/byteSource';
import { CancelledError, UsageError } from '../../../../src/core/errors';
import { openTensorFile } from '../../../../src/core/formats/openTensorFile';
import { isSafetensors, maxSafetensorsHeaderBytes, openSafetensors, safetensorsDtypes } from '../../../../src/core/formats/safetensors';
import { rejectsWith } from '../../../helpers/formatErrors';
import { runPython } from '../../../helpers/python';

const fixtures = join(__dirname, '../../../fixtures/safetensors');

/** A .safetensors file from a header object and its data bytes. */
function safetensorsFile(header: unknown, data: Uint8Array = new Uint8Array(0), padTo = 8): Buffer {
  let text = JSON.stringify(header);
  text += ' '.repeat((padTo - (text.length % padTo)) % padTo);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, Buffer.from(text), data]);
}

describe('openSafetensors', function () {
  this.timeout(60000);

  it('maps the format dtypes in one table', function () {
    assert.deepEqual(Object.keys(safetensorsDtypes), ['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL']);
    assert.equal(maxSafetensorsHeaderBytes, 100_000_000);
  });

  it('lists a 2 GB file by reading its header alone', async function () {
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    const each = 4_000_000;
    for (let i = 0; i < 250; i++) header[`layers.${i}.weight`] = { dtype: 'BF16', shape: [2000, 2000], data_offsets: [i * 2 * each, (i + 1) * 2 * each] };
    const head = safetensorsFile(header);
    const reads: [number, number][] = [];
    const source: ByteSource = {
      name: 'model.safetensors',
      size: head.length + 250 * 2 * each,
      read: async (offset, length) => {
        reads.push([offset, length]);
        if (offset + length > head.length) throw new Error(`data read at ${offset}`);
        return head.subarray(offset, offset + length);
      },
    };
    const file = await openTensorFile(source);
    assert.equal(file.format, 'safetensors');
    assert.equal(file.tensors.length, 250);
    assert.deepEqual(file.tensors[249], { name: 'layers.249.weight', dtype: 'bfloat16', shape: [2000, 2000], count: 4_000_000, byteSize: 8_000_000 });
    assert.ok(source.size > 2e9);
    assert.ok(reads.every(([o, n]) => o + n <= head.length));
  });

  it('decodes all 65536 float16 and bfloat16 codes as numpy computes them', async function () {
    const codes = new Uint16Array(65536).map((_, i) => i);
    const data = Buffer.from(codes.buffer);
    const file = await openSafetensors(memoryByteSource(
      safetensorsFile({ f16: { dtype: 'F16', shape: [65536], data_offsets: [0, 131072] }, bf16: { dtype: 'BF16', shape: [256, 256], data_offsets: [131072, 262144] } }, Buffer.concat([data, data])),
      'codes.safetensors',
    ));
    const script = `
import sys, numpy as np
codes = np.arange(65536, dtype=np.uint16)
with np.errstate(invalid='ignore'):
    f16 = codes.view(np.float16).astype(np.float64)
    bf16 = (codes.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
sys.stdout.write(np.concatenate([f16, bf16]).tobytes().hex())`;
    const want = new Float64Array(Buffer.from(runPython(script), 'hex').buffer.slice(0));
    const f16 = (await file.read('f16')).values;
    const bf16 = (await file.read('bf16')).values;
    for (let i = 0; i < 65536; i++) {
      if (!Object.is(f16[i], want[i]) && !(Number.isNaN(f16[i]) && Number.isNaN(want[i]))) assert.fail(`F16 code ${i}: ${f16[i]} vs ${want[i]}`);
      if (!Object.is(bf16[i], want[65536 + i]) && !(Number.isNaN(bf16[i]) && Number.isNaN(want[65536 + i]))) assert.fail(`BF16 code ${i}: ${bf16[i]} vs ${want[65536 + i]}`);
    }
  });

  it('gives the header __metadata__', async function () {
    const file = await openSafetensors(memoryByteSource(readFileSync(join(fixtures, 'dtypes.safetensors')), 'dtypes.safetensors'));
    assert.deepEqual(file.metadata, { format: 'pt', note: 'written by test/fixtures/safetensors/generate.py' });
  });

  it('is recognised by content, before JSON, even when the header length reads as JSON', async function () {
    // A 123-byte header: the length field starts with '{', which would look like a JSON file.
    const header = { w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, __metadata__: { pad: 'x'.repeat(43) } };
    const bytes = safetensorsFile(header, new Uint8Array(4), 1);
    assert.equal(bytes[0], 0x7b);
    assert.ok(isSafetensors(bytes));
    for (const name of ['weights.bin', 'weights.json', 'weights']) assert.equal((await openTensorFile(memoryByteSource(bytes, name))).format, 'safetensors');
  });

  it('refuses a header length field beyond 2^53 as too large, before reading it', async function () {
    const bytes = Buffer.alloc(16);
    bytes.writeBigUInt64LE(2n ** 63n);
    await rejectsWith(openSafetensors(memoryByteSource(bytes, 'x.safetensors')), `The header of x.safetensors claims ${2n ** 63n} bytes; expected at most 100000000 (100 MB).`);
  });

  it('accepts zero-size tensors at any point of the data, and refuses one inside another', async function () {
    const ok = safetensorsFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8));
    assert.deepEqual((await openSafetensors(memoryByteSource(ok, 'ok.safetensors'))).tensors.map((t) => t.name), ['a', 'e', 'b']);
    const inside = safetensorsFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] } }, new Uint8Array(8));
    await rejectsWith(openSafetensors(memoryByteSource(inside, 'in.safetensors')), "Tensors 'a' and 'e' in in.safetensors overlap: bytes 0..8 and 4..4 of the data.");
  });

  it('refuses a tensor above maxTensorBytes with how to raise the limit, and streams it anyway', async function () {
    const data = new Float32Array(1000).map((_, i) => i);
    const bytes = safetensorsFile({ w: { dtype: 'F32', shape: [10, 100], data_offsets: [0, 4000] } }, new Uint8Array(data.buffer));
    const file = await openSafetensors(memoryByteSource(bytes, 'w.safetensors'), { maxTensorBytes: 4000 });
    await rejectsWith(
      file.read('w'),
      "Tensor 'w' in w.safetensors is too large: 1000 elements take 7.8 KiB as float64, above the limit of 3.9 KiB; raise the limit with --max-tensor-bytes (CLI) or the clipwise.maxTensorBytes setting.",
    );
    const streamed: number[] = [];
    for await (const chunk of file.readChunks!('w')) for (const v of chunk.values) streamed.push(v);
    assert.deepEqual(streamed, [...data]);
  });

  it('reads a tensor from its offsets only, in chunks, and stops when cancelled', async function () {
    const n = 3_000_000;
    const data = new Float32Array(n).map((_, i) => i * 0.5);
    const bytes = safetensorsFile({ pad: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, w: { dtype: 'F32', shape: [n], data_offsets: [4, 4 + 4 * n] } }, Buffer.concat([Buffer.from([1, 2, 3, 4]), Buffer.from(data.buffer)]));
    const file = await openSafetensors(memoryByteSource(bytes, 'big.safetensors'));
    const w = await file.read('w');
    assert.ok(w.values.every((v, i) => v === i * 0.5));
    let chunks = 0;
    for await (const chunk of file.readChunks!('w')) {
      assert.equal(chunk.values[0], chunk.start * 0.5);
      chunks++;
    }
    assert.equal(chunks, Math.ceil((4 * n) / (8 * 1024 * 1024)));
    await assert.rejects(file.read('w', { signal: { aborted: true } }), CancelledError);
    await rejectsWith(file.read('nope'), "No tensor 'nope' in big.safetensors.", UsageError);
  });
});
