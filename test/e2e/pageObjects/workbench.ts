/** The parts of VS Code's workbench the UI suites act on, as a user would: explorer, menus, palette, editors, panels. */
import type { FrameLocator, Locator, Page } from 'playwright-core';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A pattern that matches exactly this text. */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** The theme classes VS Code puts on the workbench. */
export type ThemeClass = 'vs' | 'vs-dark';

export class Workbench {
  constructor(readonly page: Page) {}

  /** Waits for the workbench and the explorer's first row. */
  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.explorerRow('notebook.npy').waitFor({ timeout: 90_000 });
  }

  /** A file's row in the explorer. */
  explorerRow(name: string): Locator {
    return this.page.locator('.explorer-folders-view .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exactly(name) }) });
  }

  /** Moves the mouse to a corner, so that no tooltip covers what comes next. */
  async parkMouse(): Promise<void> {
    await this.page.mouse.move(this.page.viewportSize()!.width - 5, this.page.viewportSize()!.height - 5);
  }

  /** The labels of the context menu of a file in the explorer (the menu stays open). */
  async openExplorerMenu(name: string): Promise<Locator> {
    await this.escape();
    await this.parkMouse();
    const row = this.explorerRow(name);
    await row.hover();
    await row.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.waitFor({ timeout: 10_000 });
    return menu;
  }

  /** The entries of a file's context menu in the explorer. */
  async explorerMenuEntries(name: string): Promise<string[]> {
    const menu = await this.openExplorerMenu(name);
    const labels = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    await this.escape();
    return labels;
  }

  /**
   * Runs an entry of a file's context menu in the explorer. The workbench learns the extension's menu
   * entries some seconds after it shows the explorer, so the menu is reopened until the entry shows
   * (or `timeoutMs` passes). A click right after the menu opens is swallowed by the menu: hover the
   * entry, let it settle, click, and click again if the menu stays.
   */
  async runExplorerMenu(name: string, entry: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const menu = await this.openExplorerMenu(name);
      const item = menu.locator('.action-label', { hasText: entry }).first();
      if (await item.waitFor({ timeout: 2000 }).then(() => true, () => false)) {
        await item.hover();
        await sleep(300);
        await item.click();
        await sleep(500);
        if (await item.isVisible().catch(() => false)) await item.click();
        return;
      }
      const labels = await menu.locator('.action-label').allInnerTexts();
      await this.escape();
      if (Date.now() > deadline) throw new Error(`"${entry}" is not in the explorer's menu of ${name}: ${labels.join(', ')}`);
      await sleep(1000);
    }
  }

  /** Waits until a file's explorer menu offers an entry; false if it never does within `timeoutMs`. */
  async explorerMenuOffers(name: string, entry: string, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.explorerMenuEntries(name)).includes(entry)) return true;
      if (Date.now() > deadline) return false;
      await sleep(1000);
    }
  }

  /** Opens a file from the explorer with a double click. */
  async openFromExplorer(name: string): Promise<void> {
    await this.escape();
    await this.explorerRow(name).dblclick();
  }

  /** Opens a file with Quick Open (Ctrl+P). */
  async quickOpen(name: string): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('Control+P');
    const input = this.quickInputBox();
    await input.waitFor({ timeout: 10_000 });
    await input.fill(name);
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
    await this.tab(name).waitFor({ timeout: 15_000 });
  }

  /** Runs a command from the palette (F1) by its title (the row whose label is exactly the title). */
  async runCommand(title: string): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('F1');
    const input = this.quickInputBox();
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    await this.clickQuickPickRow(title);
  }

  /** Clicks the row of the open quick pick whose label is `label`, else the first row that contains it. */
  async clickQuickPickRow(label: string): Promise<void> {
    const rows = this.page.locator('.quick-input-widget .monaco-list-row');
    const containing = rows.filter({ hasText: label });
    await containing.first().waitFor({ timeout: 10_000 });
    const exact = rows.filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) });
    await ((await exact.count()) > 0 ? exact : containing).first().click();
  }

  /** The input of the quick input widget (palette, quick pick, input box). */
  quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** The open quick input other than the command palette, if any: its title, message, placeholder and label, in one text. */
  async quickInputText(): Promise<string | undefined> {
    const widget = this.page.locator('.quick-input-widget');
    if (!(await widget.isVisible().catch(() => false))) return undefined;
    if (((await this.quickInputBox().inputValue().catch(() => '')) ?? '').startsWith('>')) return undefined;
    const title = await widget.locator('.quick-input-title').innerText().catch(() => '');
    const message = await widget.locator('.quick-input-message').innerText().catch(() => '');
    const placeholder = (await this.quickInputBox().getAttribute('placeholder').catch(() => '')) ?? '';
    const aria = (await this.quickInputBox().getAttribute('aria-label').catch(() => '')) ?? '';
    return `${title}\n${message}\n${placeholder}\n${aria}`;
  }

  /** Replaces the quick input's value and accepts it. */
  async answer(text: string | undefined): Promise<void> {
    const input = this.quickInputBox();
    if (text !== undefined) {
      await input.fill(text);
      await sleep(300);
    }
    await input.press('Enter');
  }

  /** A tab of the editor area by its label. */
  tab(label: string): Locator {
    return this.page.locator('.tabs-container .tab', { hasText: label });
  }

  /** Closes every editor (and panel). */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    await this.page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  }

  /** The page of the visible webview (the panel or the .npy editor): iframe.webview > #active-frame. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
  }

  /** Notification toasts and the notification centre's entries, as text. */
  async notifications(): Promise<string[]> {
    const toasts = await this.page.locator('.notification-toast .notification-list-item').allInnerTexts();
    if (toasts.length > 0) return toasts;
    await this.page.locator('#status\\.notifications, .statusbar-item[id$="notifications"]').first().click().catch(() => undefined);
    const centre = await this.page.locator('.notifications-center .notification-list-item').allInnerTexts().catch(() => []);
    await this.escape();
    return centre;
  }

  /** Clears every notification. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Opens the Problems panel and returns its rows' text. */
  async problems(): Promise<string[]> {
    await this.runCommand('View: Focus Problems');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: 15_000 });
    return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Closes the bottom panel (Problems). */
  async closePanel(): Promise<void> {
    if (await this.page.locator('.part.panel').isVisible().catch(() => false)) await this.runCommand('View: Hide Panel');
  }

  /** The theme the workbench shows. */
  async themeClass(): Promise<ThemeClass> {
    const classes = (await this.page.locator('.monaco-workbench').getAttribute('class')) ?? '';
    return /\bvs-dark\b/.test(classes) ? 'vs-dark' : 'vs';
  }

  /** Picks a color theme with "Preferences: Color Theme", as a user would, and waits for the workbench to show it. */
  async pickColorTheme(label: string, expected: ThemeClass): Promise<void> {
    await this.runCommand('Preferences: Color Theme');
    await this.quickInputBox().fill(label);
    await this.clickQuickPickRow(label);
    await this.waitForTheme(expected);
  }

  /** Waits for the workbench to show a theme. */
  async waitForTheme(theme: ThemeClass): Promise<void> {
    await this.page.waitForFunction(`document.querySelector('.monaco-workbench')?.classList.contains('${theme}')`, undefined, { timeout: 15_000 });
  }

  async escape(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await sleep(100);
  }

  /** Gives the workbench the keyboard (clicking the status bar, which opens nothing). */
  private async focusWorkbench(): Promise<void> {
    await this.escape();
    await this.page.locator('.monaco-workbench').focus().catch(() => undefined);
  }
}
