import { strict as assert } from 'node:assert';
import { formatChange, formatCount, formatDb, formatDbChange, formatPercentile, formatShare, formatValue, ordinal } from '../../webview/format';

describe('webview number formats', function () {
  it('shows values with 6 significant digits, separators, exponents when tiny or huge, and ∞', function () {
    assert.equal(formatValue(0.7040763), '0.704076');
    assert.equal(formatValue(1234567.891), '1,234,570');
    assert.equal(formatValue(-79.9522), '-79.9522');
    assert.equal(formatValue(580), '580');
    assert.equal(formatValue(0), '0');
    assert.equal(formatValue(-0), '0');
    assert.equal(formatValue(0.0000123456789), '1.23457e-5');
    assert.equal(formatValue(0.00001), '1e-5');
    assert.equal(formatValue(3.2e12), '3.2e+12');
    assert.equal(formatValue(Infinity), '∞');
    assert.equal(formatValue(-Infinity), '−∞');
    assert.equal(formatValue(null), '—');
  });

  it('shows counts with thousands separators and shares as percentages', function () {
    assert.equal(formatCount(1048576), '1,048,576');
    assert.equal(formatShare(0.002), '0.2%');
    assert.equal(formatShare(0.0011), '0.11%');
    assert.equal(formatShare(0), '0%');
  });

  it('shows SQNR of a lossless quantization as ∞ dB, also after JSON made Infinity null', function () {
    assert.equal(formatDb(35.4219), '35.42 dB');
    assert.equal(formatDb(Infinity), '∞ dB');
    assert.equal(formatDb(JSON.parse(JSON.stringify({ x: Infinity })).x), '∞ dB');
  });

  it('says how a figure changed against the baseline', function () {
    assert.equal(formatChange(0.0408373, 0.559335), '92.7% lower');
    assert.equal(formatChange(0.656634, 0.648615), '1.24% higher');
    assert.equal(formatChange(230.9, 0.558853), '413× higher');
    assert.equal(formatChange(1, 1), 'same');
    assert.equal(formatChange(1, 0), '—');
    assert.equal(formatDbChange(11.35, 37.51), '−26.16 dB');
    assert.equal(formatDbChange(Infinity, 37.51), 'higher');
  });

  it('names percentiles as ordinals', function () {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 99, 0.5, 99.89].map(ordinal), ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '99th', '0.5th', '99.89th']);
    assert.equal(formatPercentile(100 - 99.89), '0.11');
  });
});
