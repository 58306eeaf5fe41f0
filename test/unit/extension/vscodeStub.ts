// A stand-in for the `vscode` module, so that plain Node mocha can load the extension's adapters:
// real EventEmitter and Uri, recorded registrations, and inert everything else. The real API is
// exercised by the VS Code suites (test/extension, test/e2e); this only checks the wiring.
import Module from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';

type Listener<T> = (e: T) => unknown;

/** vscode.EventEmitter with the (listener, thisArg, disposables) signature. */
export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>, thisArg?: unknown, disposables?: { dispose(): unknown }[]) => {
    const bound: Listener<T> = (e) => listener.call(thisArg, e);
    this.listeners.add(bound);
    const d = { dispose: () => this.listeners.delete(bound) };
    disposables?.push(d);
    return d;
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

/** vscode.Uri for file and other schemes, as far as the extension uses it. */
export class Uri {
  private constructor(readonly scheme: string, readonly authority: string, readonly path: string) {}
  static file(path: string): Uri {
    return new Uri('file', '', path);
  }
  static parse(text: string): Uri {
    const u = new URL(text);
    return new Uri(u.protocol.slice(0, -1), u.host, decodeURIComponent(u.pathname));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    const segments = base.path.split('/');
    for (const part of parts.flatMap((p) => p.split('/'))) {
      if (part === '..') segments.pop();
      else if (part !== '.' && part !== '') segments.push(part);
    }
    return new Uri(base.scheme, base.authority, segments.join('/') || '/');
  }
  get fsPath(): string {
    return this.scheme === 'file' ? fileURLToPath(pathToFileURL(this.path)) : this.path;
  }
  toString(): string {
    return this.scheme === 'file' ? pathToFileURL(this.path).toString() : `${this.scheme}://${this.authority}${encodeURI(this.path)}`;
  }
}

/** What the extension registered, by kind. */
export const registered = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  serializers: [] as string[],
  customEditors: [] as string[],
  hoverProviders: 0,
  codeLensProviders: 0,
  contexts: new Map<string, unknown>(),
  diagnostics: new Map<string, Map<string, unknown[]>>(),
  logLines: [] as string[],
};

const disposable = () => ({ dispose: () => undefined });
const inertEvent = () => disposable();

/** Workspace events a test can fire, and the folder that counts as the workspace. */
export const workspaceEvents = {
  open: new EventEmitter<unknown>(),
  change: new EventEmitter<unknown>(),
  close: new EventEmitter<unknown>(),
  configuration: new EventEmitter<unknown>(),
  folder: undefined as string | undefined,
  documents: [] as unknown[],
};

/** A text document over a string, with VS Code's offset/position arithmetic (\n lines). */
export class FakeTextDocument {
  version = 1;
  isClosed = false;
  constructor(readonly uri: Uri, private text: string, readonly languageId = 'json') {}
  getText(range?: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  setText(text: string): void {
    this.text = text;
    this.version++;
  }
  positionAt(offset: number): InstanceType<typeof vscodeStub.Position> {
    const before = this.text.slice(0, Math.max(0, Math.min(offset, this.text.length)));
    const line = before.split('\n').length - 1;
    return new vscodeStub.Position(line, before.length - (before.lastIndexOf('\n') + 1));
  }
  offsetAt(position: { line: number; character: number }): number {
    const lines = this.text.split('\n');
    let offset = 0;
    for (let i = 0; i < position.line && i < lines.length; i++) offset += lines[i].length + 1;
    return offset + position.character;
  }
}

function diagnosticCollection(name: string) {
  const byUri = new Map<string, unknown[]>();
  registered.diagnostics.set(name, byUri);
  return {
    name,
    set: (uri: Uri, list: unknown[]) => byUri.set(uri.toString(), list),
    delete: (uri: Uri) => byUri.delete(uri.toString()),
    clear: () => byUri.clear(),
    dispose: () => byUri.clear(),
  };
}

function logChannel() {
  const line = (level: string) => (m: unknown) => registered.logLines.push(`${level}: ${m instanceof Error ? m.stack : String(m)}`);
  return { trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), show: () => undefined, dispose: () => undefined };
}

export const vscodeStub = {
  EventEmitter,
  Uri,
  Disposable: class { constructor(private readonly fn: () => void) {} dispose() { this.fn(); } },
  Position: class { constructor(readonly line: number, readonly character: number) {} },
  Range: class { constructor(readonly start: unknown, readonly end: unknown, ...rest: unknown[]) { void rest; } },
  Diagnostic: class { source?: string; code?: unknown; constructor(readonly range: unknown, readonly message: string, readonly severity: number) {} },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  Hover: class { constructor(readonly contents: unknown, readonly range?: unknown) {} },
  MarkdownString: class { value = ''; appendMarkdown(s: string) { this.value += s; return this; } appendText(s: string) { this.value += s; return this; } },
  CodeLens: class { constructor(readonly range: unknown, readonly command?: unknown) {} },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  TabInputText: class {},
  TabInputCustom: class {},
  window: {
    createOutputChannel: () => logChannel(),
    createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined }),
    registerWebviewPanelSerializer: (viewType: string) => (registered.serializers.push(viewType), disposable()),
    registerCustomEditorProvider: (viewType: string) => (registered.customEditors.push(viewType), disposable()),
    onDidChangeActiveTextEditor: inertEvent,
    onDidChangeTextEditorSelection: inertEvent,
    activeTextEditor: undefined,
    tabGroups: { activeTabGroup: { activeTab: undefined } },
    showErrorMessage: async () => undefined,
    showInformationMessage: async () => undefined,
  },
  workspace: {
    getConfiguration: () => ({ get: () => undefined }),
    onDidChangeConfiguration: workspaceEvents.configuration.event,
    onDidOpenTextDocument: workspaceEvents.open.event,
    onDidChangeTextDocument: workspaceEvents.change.event,
    onDidCloseTextDocument: workspaceEvents.close.event,
    onDidChangeWorkspaceFolders: inertEvent,
    get textDocuments() {
      return workspaceEvents.documents;
    },
    getWorkspaceFolder: (uri: Uri) => {
      const folder = workspaceEvents.folder;
      return folder !== undefined && uri.scheme === 'file' && uri.path.startsWith(`${folder}/`) ? { uri: Uri.file(folder), name: 'ws', index: 0 } : undefined;
    },
  },
  languages: {
    createDiagnosticCollection: diagnosticCollection,
    registerHoverProvider: () => (registered.hoverProviders++, disposable()),
    registerCodeLensProvider: () => (registered.codeLensProviders++, disposable()),
  },
  commands: {
    registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => (registered.commands.set(id, fn), disposable()),
    executeCommand: async (id: string, ...args: unknown[]) => {
      if (id === 'setContext') registered.contexts.set(String(args[0]), args[1]);
      return undefined;
    },
  },
  env: { clipboard: { writeText: async () => undefined } },
};

let isInstalled = false;

/** Makes `require('vscode')` return the stub (for modules loaded after this call). */
export function installVscodeStub(): void {
  if (isInstalled) return;
  isInstalled = true;
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const load = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'vscode') return vscodeStub;
    return load.call(this, request, parent, isMain);
  };
}
