/** Attribute values of `h`: a string sets it, true sets it empty, false or undefined leaves it out. */
export type Attrs = Readonly<Record<string, string | boolean | undefined>>;

/**
 * Creates an element. Children given as strings become text nodes, so text from a file can never
 * become markup; `style` and `on*` attributes are refused (the CSP forbids inline ones anyway).
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style' || name.startsWith('on')) throw new Error(`Attribute '${name}' is not allowed.`);
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return el;
}

/** Sets an element's text (never markup). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Replaces an element's children with these option elements of a select. */
export function setOptions(select: HTMLSelectElement, options: readonly { value: string; label: string }[], selected: string): void {
  const same =
    select.options.length === options.length &&
    options.every((o, i) => select.options[i]?.value === o.value && select.options[i]?.textContent === o.label);
  if (!same) select.replaceChildren(...options.map((o) => h('option', { value: o.value }, o.label)));
  select.value = selected;
}
