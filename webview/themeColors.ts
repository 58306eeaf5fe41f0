/** The colours and font the charts draw with, read from VS Code's theme variables. */
export interface ChartTheme {
  readonly isHighContrast: boolean;
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  /** Outline of bars and markers in high contrast ('' otherwise). */
  readonly contrastBorder: string;
  readonly background: string;
  readonly fontFamily: string;
  readonly fontSize: number;
  readonly values: string;
  readonly codes: string;
  readonly errors: string;
  readonly curve: string;
  readonly clip: string;
  readonly best: string;
  readonly current: string;
}

const highContrastClasses = ['vscode-high-contrast', 'vscode-high-contrast-light'];

/** The first of these VS Code variables that the theme defines. */
function themeVar(style: CSSStyleDeclaration, ...names: string[]): string {
  for (const name of names) {
    const value = style.getPropertyValue(`--vscode-${name}`).trim();
    if (value) return value;
  }
  return '';
}

/** Reads the chart colours of the current theme (getComputedStyle(document.body), as webview-ui-toolkit does). */
export function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const isHighContrast = highContrastClasses.some((c) => document.body.classList.contains(c));
  const foreground = themeVar(style, 'charts-foreground', 'foreground', 'editor-foreground');
  const size = parseFloat(themeVar(style, 'font-size'));
  return {
    isHighContrast,
    foreground,
    muted: themeVar(style, 'descriptionForeground', 'foreground'),
    grid: themeVar(style, 'charts-lines', 'widget-border', 'editorWidget-border', 'panel-border'),
    contrastBorder: isHighContrast ? themeVar(style, 'contrastBorder', 'foreground') : '',
    background: themeVar(style, 'editor-background'),
    fontFamily: themeVar(style, 'font-family'),
    fontSize: Number.isFinite(size) && size > 0 ? size : 13,
    values: themeVar(style, 'charts-blue', 'foreground'),
    codes: themeVar(style, 'charts-purple', 'charts-blue', 'foreground'),
    errors: themeVar(style, 'charts-orange', 'charts-yellow', 'foreground'),
    curve: themeVar(style, 'charts-blue', 'foreground'),
    clip: themeVar(style, 'charts-red', 'errorForeground', 'foreground'),
    best: themeVar(style, 'charts-green', 'foreground'),
    current: themeVar(style, 'charts-yellow', 'charts-orange', 'foreground'),
  };
}

/**
 * A theme colour with another opacity, for fills under lines. High contrast keeps solid colours,
 * so callers pass alpha 1 there. Colours VS Code gives are #rgb, #rrggbb or #rrggbbaa.
 */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(color.trim());
  if (!hex) return color;
  let digits = hex[1] ?? '';
  if (digits.length === 3 || digits.length === 4) digits = [...digits].map((d) => d + d).join('');
  if (digits.length !== 6 && digits.length !== 8) return color;
  const r = parseInt(digits.slice(0, 2), 16);
  const g = parseInt(digits.slice(2, 4), 16);
  const b = parseInt(digits.slice(4, 6), 16);
  const a = digits.length === 8 ? parseInt(digits.slice(6, 8), 16) / 255 : 1;
  return `rgba(${r}, ${g}, ${b}, ${Number((a * alpha).toFixed(3))})`;
}

/**
 * Calls back when the theme changes: VS Code swaps body's class (vscode-light, vscode-dark,
 * vscode-high-contrast, vscode-high-contrast-light) and its data-vscode-theme-* attributes, and
 * rewrites the variables on <html>'s style. Returns a function that stops watching.
 */
export function observeThemeChanges(onChange: () => void): () => void {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      onChange();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-name', 'data-vscode-theme-id'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}
