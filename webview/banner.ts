import { h, setText } from './dom';

/** An error shown in the page (a failed load or request), as catScratch renders errors: not a broken panel. */
export class Banner {
  readonly element: HTMLElement;
  private readonly text = h('p', { id: 'error-text', class: 'banner-text' });

  constructor() {
    const dismiss = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Dismiss error', title: 'Dismiss' }, '✕');
    dismiss.addEventListener('click', () => this.clear());
    this.element = h('div', { id: 'error-banner', class: 'banner', role: 'alert' }, h('span', { class: 'banner-icon', 'aria-hidden': 'true' }, '⚠'), this.text, dismiss);
    this.element.hidden = true;
  }

  /** Shows a message (text only: messages quote file names). */
  show(message: string): void {
    setText(this.text, message);
    this.element.hidden = false;
  }

  /** Hides the banner. */
  clear(): void {
    this.element.hidden = true;
    setText(this.text, '');
  }
}
