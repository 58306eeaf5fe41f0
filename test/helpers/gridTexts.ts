import fc from 'fast-check';
import { UsageError } from '../../src/core/errors';
import { gridCandidates, parseGrid } from '../../src/core/search/gridSpec';

/** What the core makes of a grid text: `nines`, a from:to:step grid and its candidate count, or a refusal. */
export type CoreGridVerdict = { readonly kind: 'nines' } | { readonly kind: 'range'; readonly count: number } | { readonly kind: 'refused'; readonly stage: 'parse' | 'range' };

/** The core's verdict on a grid text (parseGrid, then gridCandidates for a from:to:step grid): the oracle of the copies. */
export function coreGridVerdict(text: string): CoreGridVerdict {
  let request: ReturnType<typeof parseGrid>;
  try {
    request = parseGrid(text);
  } catch (err) {
    if (err instanceof UsageError) return { kind: 'refused', stage: 'parse' };
    throw err;
  }
  if (request.kind === 'nines') return { kind: 'nines' };
  try {
    return { kind: 'range', count: gridCandidates(request.spec).length };
  } catch (err) {
    if (err instanceof UsageError) return { kind: 'refused', stage: 'range' };
    throw err;
  }
}

/** Whitespace Number() and String.prototype.trim skip, and some they do not. */
const spaces = fc.constantFrom('', '', ' ', '  ', '\t', '\n', '\u00a0', '\ufeff', '\u2003', '\u200b');

/** Numbers as people (and mistakes) write them: decimals near the ends of (50, 100], exponents, hex, junk. */
const numberText = fc.oneof(
  fc.double({ min: 40, max: 110, noNaN: true }).map(String),
  fc.tuple(fc.double({ min: 40, max: 110, noNaN: true }), fc.integer({ min: 0, max: 12 })).map(([x, digits]) => x.toFixed(digits)),
  fc.constantFrom('0.01', '0.5', '1', '.5', '5.', '1e-4', '1E-2', '2e+1', '1e-12', '0.3333333333', '0', '-0.5', '+1'),
  fc.constantFrom('50', '50.00000000001', '50.00000000005', '99', '99.9', '99.99999999996', '100', '100.00000000004', '100.0000000001', '-99', '+99'),
  fc.constantFrom('0x63', '0X64', '0o143', '0b1', '-0x63', '0x', '1_0', '1e', '.', '', 'Infinity', '-Infinity', 'NaN', 'a', '99a', '9 9', '١٠٠'),
);

/** Steps that keep a grid's candidates countable (a grid of more than 100 000 is refused before it is listed). */
const stepText = fc.oneof(
  fc.constantFrom('0.01', '0.5', '1', '.25', '5.', '1e-3', '1E-2', '2e+0', '0.3333333333', '0.1', '7'),
  fc.double({ min: 0.001, max: 20, noNaN: true }).map(String),
);

/** Well-formed from:to:step grids, mostly inside (50, 100], some across its ends. */
const rangeGrid = fc
  .tuple(fc.oneof(numberText, fc.double({ min: 50, max: 100, noNaN: true }).map(String)), numberText, stepText)
  .map(([from, to, step]) => `${from}:${to}:${step}`);

/** Texts a grid box or setting may hold: from:to:step in many spellings, nines in many, and near misses of both. */
export const gridText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(spaces, rangeGrid, spaces).map((p) => p.join('')) },
  fc.tuple(spaces, fc.array(fc.tuple(spaces, numberText, spaces).map((p) => p.join('')), { minLength: 1, maxLength: 4 }), spaces)
    .map(([before, parts, after]) => before + parts.join(':') + after),
  fc.tuple(spaces, fc.constantFrom('nines', 'NINES', 'Nines', 'niNeS', 'nine', 'niness', 'n ines', 'nınes', 'nines:', '9s'), spaces)
    .map((p) => p.join('')),
);
