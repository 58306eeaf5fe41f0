import { strict as assert } from 'node:assert';
import seedrandom from 'seedrandom';
import { parseJsonTensorText } from '../../../../src/core/formats/jsonTensors';
import { runPython } from '../../../helpers/python';

/**
 * Python writes each file with json.dump, as ML users do, and says what json.loads reads back:
 * the float64 values (NaN and ±Infinity included) and the shape numpy gives them.
 */
const writeFilesScript = `
import base64, json, sys
import numpy as np
rng = np.random.default_rng(20240611)

def values_of(obj):
    return base64.b64encode(np.asarray(obj, dtype=np.float64).ravel().tobytes()).decode()

cases = []
def add(name, obj, tensors, **dump_args):
    text = json.dumps(obj, **dump_args)
    back = json.loads(text)
    cases.append({'name': name, 'text': text, 'tensors': [
        {'name': key, 'shape': list(np.asarray(pick(back)).shape) if shape is None else shape, 'b64': values_of(pick(back))}
        for key, pick, shape in tensors]})

a = rng.standard_normal((30, 17)) * 10.0 ** rng.integers(-8, 8, (30, 17))
a[3, 4] = np.nan; a[7, 0] = np.inf; a[29, 16] = -np.inf; a[0, 0] = -0.0
add('float64 matrix with NaN and infinities', a.tolist(), [(None, lambda v: v, None)])

b = rng.standard_normal((4, 3, 5)).astype(np.float32)
add('float32 cube, indented', b.tolist(), [(None, lambda v: v, None)], indent=2)

c = rng.integers(-2**62, 2**62, 40, dtype=np.int64)
add('int64 beyond 2^53', {'dtype': 'int64', 'data': c.tolist()}, [(None, lambda v: [float(x) for x in v['data']], None)])

d = {'encoder.weight': {'shape': [6, 4], 'dtype': 'float32', 'data': rng.standard_normal(24).astype(np.float32).tolist()},
     'encoder.bias': rng.uniform(-1, 1, 6).tolist(),
     'scale': {'data': [[float('nan'), 1e-300], [5e-324, 1.7976931348623157e308]]}}
add('named tensors', d, [
    ('encoder.weight', lambda v: v['encoder.weight']['data'], [6, 4]),
    ('encoder.bias', lambda v: v['encoder.bias'], None),
    ('scale', lambda v: v['scale']['data'], None)], indent=1, sort_keys=False)

literals = json.loads(sys.stdin.read())
text = '[' + ', '.join(literals) + ']'
add('random literals read by json.loads', json.loads(text), [(None, lambda v: v, None)])
cases[-1]['text'] = text
json.dump(cases, sys.stdout, allow_nan=False)
`;

interface PythonCase {
  readonly name: string;
  readonly text: string;
  readonly tensors: readonly { readonly name: string | null; readonly shape: number[]; readonly b64: string }[];
}

function doublesOf(b64: string): Float64Array {
  const raw = Buffer.from(b64, 'base64');
  return new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

describe('parseJsonTensorText against Python json', () => {
  let cases: PythonCase[];
  before(function () {
    this.timeout(60_000);
    const rng = seedrandom('python-literals');
    const literals = Array.from({ length: 5000 }, () => {
      const r = rng();
      if (r < 0.02) return 'NaN';
      if (r < 0.04) return rng() < 0.5 ? 'Infinity' : '-Infinity';
      const mantissa = `${rng() < 0.5 ? '-' : ''}${Math.floor(rng() * 1e9)}.${String(Math.floor(rng() * 1e12)).padStart(12, '0')}`;
      return rng() < 0.5 ? mantissa : `${mantissa}e${Math.floor(rng() * 700) - 350}`;
    });
    cases = JSON.parse(runPython(writeFilesScript, [], JSON.stringify(literals))) as PythonCase[];
  });

  it('reads every file Python wrote to the same float64 values and shapes as json.loads and numpy', () => {
    assert.equal(cases.length, 5);
    for (const c of cases) {
      const doc = parseJsonTensorText(c.text, 'py.json');
      assert.equal(doc.tensors.length, c.tensors.length, c.name);
      c.tensors.forEach((expected, i) => {
        const t = doc.tensors[i];
        if (expected.name !== null) assert.equal(t.info.name, expected.name, c.name);
        assert.deepEqual(t.info.shape, expected.shape, c.name);
        const want = doublesOf(expected.b64);
        assert.equal(t.values.length, want.length, c.name);
        for (let k = 0; k < want.length; k++) {
          if (!Object.is(t.values[k], want[k])) assert.fail(`${c.name}: element ${k} is ${t.values[k]}, Python reads ${want[k]}`);
        }
        for (let k = 0; k < t.values.length; k++) {
          const literal = c.text.slice(t.elementSpans[2 * k], t.elementSpans[2 * k + 1]);
          assert.ok(/^(-?\d|NaN|-?Infinity)/.test(literal) && !/[\s,\]]/.test(literal), `${c.name}: span ${k} is ${JSON.stringify(literal)}`);
        }
      });
    }
  });

  it('warns that int64 values beyond 2^53 may have been rounded', () => {
    const c = cases.find((x) => x.name === 'int64 beyond 2^53');
    assert.ok(c);
    const [t] = parseJsonTensorText(c.text, 'ints.json').tensors;
    assert.equal(t.info.dtype, 'int64');
    assert.match(t.warnings[0], /^\d+ values of ints\.json lie beyond ±2\^53 and may have been rounded to the nearest float64\.$/);
  });
});
