import type { TensorListItem } from '../src/protocol/webview';
import type { TensorSummary } from '../src/core/report/reportTypes';
import { h, setOptions, setText } from './dom';
import { formatCount, formatShape, formatValue } from './format';

/** The facts listed under the file name, in order: label, and how to read it from the summary. */
const facts: readonly { key: string; label: string; read: (t: TensorSummary) => string; exact?: (t: TensorSummary) => number }[] = [
  { key: 'dtype', label: 'dtype', read: (t) => t.dtype },
  { key: 'shape', label: 'shape', read: (t) => formatShape(t.shape) },
  { key: 'count', label: 'count', read: (t) => formatCount(t.count), exact: (t) => t.count },
  { key: 'min', label: 'min', read: (t) => formatValue(t.stats.min), exact: (t) => t.stats.min },
  { key: 'max', label: 'max', read: (t) => formatValue(t.stats.max), exact: (t) => t.stats.max },
  { key: 'mean', label: 'mean', read: (t) => formatValue(t.stats.mean), exact: (t) => t.stats.mean },
  { key: 'std', label: 'std', read: (t) => formatValue(t.stats.std), exact: (t) => t.stats.std },
  { key: 'nonFinite', label: 'non-finite', read: (t) => formatCount(t.nonFiniteCount), exact: (t) => t.nonFiniteCount },
];

/** The file, the tensor (a picker when the file has several) and its summary statistics. */
export class Header {
  readonly element: HTMLElement;
  private readonly fileName = h('h1', { id: 'file-name', class: 'file-name' });
  private readonly picker = h('select', { id: 'tensor-picker' });
  private readonly pickerRow = h('div', { class: 'tensor-picker' }, h('label', { for: 'tensor-picker' }, 'Tensor'), this.picker);
  private readonly tensorName = h('span', { id: 'tensor-name', class: 'tensor-name' });
  private readonly values = new Map<string, HTMLElement>();
  private readonly warnings = h('ul', { id: 'warnings', class: 'warnings', 'aria-label': 'Warnings' });

  constructor(onTensor: (name: string) => void) {
    const list = h('dl', { class: 'facts', 'aria-label': 'Tensor summary' });
    for (const f of facts) {
      const dd = h('dd', { 'data-fact': f.key });
      this.values.set(f.key, dd);
      list.append(h('div', { class: 'fact' }, h('dt', {}, f.label), dd));
    }
    this.pickerRow.hidden = true;
    this.warnings.hidden = true;
    this.picker.addEventListener('change', () => onTensor(this.picker.value));
    this.element = h('header', { class: 'tensor-header' }, h('div', { class: 'title-row' }, this.fileName, this.tensorName, this.pickerRow), list, this.warnings);
  }

  /** Shows the file, its tensors and the summary of the tensor on screen. */
  render(fileName: string, tensors: readonly TensorListItem[], tensor: TensorSummary, warnings: readonly string[]): void {
    setText(this.fileName, fileName);
    this.fileName.title = fileName;
    const several = tensors.length > 1;
    this.pickerRow.hidden = !several;
    this.tensorName.hidden = several;
    setText(this.tensorName, tensor.name);
    if (several) {
      setOptions(
        this.picker,
        tensors.map((t) => ({ value: t.name, label: `${t.name} — ${t.dtype} ${formatShape(t.shape)}` })),
        tensor.name,
      );
    }
    for (const f of facts) {
      const dd = this.values.get(f.key);
      if (!dd) continue;
      setText(dd, f.read(tensor));
      if (f.exact) dd.dataset.value = String(f.exact(tensor));
    }
    const nonFinite = this.values.get('nonFinite');
    nonFinite?.classList.toggle('attention', tensor.nonFiniteCount > 0);
    this.warnings.replaceChildren(...warnings.map((w) => h('li', {}, w)));
    this.warnings.hidden = warnings.length === 0;
  }

  /** Selects a tensor in the picker without telling anyone (a restored or echoed choice). */
  selectTensor(name: string): void {
    if (!this.pickerRow.hidden) this.picker.value = name;
  }
}
