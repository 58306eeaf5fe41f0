/**
 * Starts a real VS Code for Clipwise's suites: code-server (VS Code for the browser, with a node
 * extension host) from the tools setup.sh installs, one throw-away instance per run, and headless
 * Debian Chromium to host its workbench. Every run gets its own port, user data, extensions, config
 * and XDG folders, so runs never see each other or the user's own VS Code.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';

const here = __dirname;

/** The project's root folder. */
export const repoRoot = resolve(here, '..', '..');

/** Debian's Chromium (setup.sh installs it). */
export const chromiumPath = process.env.CLIPWISE_CHROMIUM ?? '/usr/bin/chromium';

/** How long code-server may take to answer /healthz; it takes 0.4–1.6 s on an idle machine. */
const healthzTimeoutMs = 30_000;

/** How long code-server may take to exit after SIGTERM before it is killed. */
const exitTimeoutMs = 5_000;

/** Chromium flags for a headless run in a container: no sandbox, no GPU, no network beyond the page. */
const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/**
 * User settings that make the workbench quiet and the same on every run: no welcome page, no chat,
 * no update or gallery checks, no schema downloads, and a long delay before explorer tooltips (one
 * from the row above can cover the row a test right-clicks).
 */
export const quietSettings: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.hover.delay': 10_000,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  // VS Code for the browser saves edited files after a delay by default; a suite's unsaved edits must stay unsaved.
  'files.autoSave': 'off',
  'json.schemaDownload.enable': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
};

/** The cache folder of the pinned tools: `${CLIPWISE_TOOLS:-~/.cache/clipwise-vscode-tools}/<hash of versions.json>`. */
export function toolsDir(): string {
  const versions = readFileSync(join(here, 'versions.json'));
  const hash = createHash('sha256').update(versions).digest('hex').slice(0, 12);
  const root = process.env.CLIPWISE_TOOLS ?? join(homedir(), '.cache', 'clipwise-vscode-tools');
  const dir = join(root, hash);
  const ready = join(dir, '.ready');
  if (!existsSync(ready) || !readFileSync(ready).equals(versions)) {
    throw new Error(`The VS Code test tools are not installed in ${dir}. Run: bash scripts/vscode-tools/setup.sh`);
  }
  return dir;
}

/** An executable of the tools (node, code-server). */
export function toolBin(name: string): string {
  return join(toolsDir(), 'node_modules', '.bin', name);
}

/** playwright-core at the pinned version, from the tools folder. */
export function loadPlaywright(): typeof import('playwright-core') {
  const require = createRequire(join(toolsDir(), 'package.json'));
  return require('playwright-core') as typeof import('playwright-core');
}

/** Headless Chromium as playwright-core drives it. */
export async function launchChromium(): Promise<Browser> {
  return loadPlaywright().chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** A page size that fits the workbench, the panel and its charts. */
export const viewport = { width: 1440, height: 900 } as const;

/** A browser context for the workbench, allowed to use the clipboard (copy commands). */
export async function newWorkbenchContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
}

/** A port the kernel says is free now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let signalsHandled = false;

/** Turns SIGINT and SIGTERM into an exit, so that the 'exit' handlers kill the servers (Node skips them on a signal). */
function exitOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130));
}

/** How to set up one run. */
export interface RunOptions {
  /** A folder copied into the run's temp folder and opened as the workspace. */
  readonly workspace: string;
  /** Settings added to (or replacing) the quiet ones. */
  readonly userSettings?: Readonly<Record<string, unknown>>;
  /** A prefix for the temp folder's name. */
  readonly label?: string;
}

/** How to start code-server. */
export interface StartOptions {
  /**
   * Lets the workbench read extensionDevelopmentPath / extensionTestsPath from the URL's payload
   * (VS Code ignores the payload silently without it). It also routes console output to
   * window.codeAutomationLog and stops toasts: notifications only reach the notification centre.
   */
  readonly smokeTestDriver?: boolean;
  /** Extra environment for the server and its extension host. */
  readonly env?: Readonly<Record<string, string>>;
}

/** One throw-away VS Code: its folders, then its server. */
export class VsCodeRun {
  readonly tmp: string;
  readonly userData: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  readonly logFile: string;
  port = 0;
  private server: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private hasExited = true;
  private readonly killAtExit = () => this.kill('SIGKILL');

  /** Creates the run's folders: a copy of the workspace, user data with quiet settings, empty extensions. */
  constructor(private readonly options: RunOptions) {
    this.tmp = mkdtempSync(join(tmpdir(), `${options.label ?? 'clipwise-vscode'}-`));
    this.userData = join(this.tmp, 'user-data');
    this.extensionsDir = join(this.tmp, 'extensions');
    this.workspace = join(this.tmp, 'workspace');
    this.logFile = join(this.tmp, 'code-server.log');
    mkdirSync(join(this.userData, 'User'), { recursive: true });
    mkdirSync(this.extensionsDir);
    mkdirSync(join(this.tmp, 'tmp'));
    cpSync(options.workspace, this.workspace, { recursive: true, filter: (src) => !src.endsWith('.py') });
    this.writeUserSettings({});
  }

  /** Rewrites the user's settings.json (the quiet settings, the run's, then `extra`); a running workbench picks it up. */
  writeUserSettings(extra: Readonly<Record<string, unknown>>): void {
    const settings = { ...quietSettings, ...this.options.userSettings, ...extra };
    writeFileSync(join(this.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  /**
   * Environment of every code-server process of the run: the tools' Node 24 first; XDG folders and
   * the temp folder (IPC sockets among them) inside the run's folder.
   */
  private env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    const bin = join(toolsDir(), 'node_modules', '.bin');
    return {
      ...process.env, ...extra, PATH: `${bin}:${process.env.PATH ?? ''}`,
      XDG_DATA_HOME: this.tmp, XDG_CONFIG_HOME: this.tmp, XDG_CACHE_HOME: join(this.tmp, 'cache'),
      XDG_RUNTIME_DIR: join(this.tmp, 'tmp'), TMPDIR: join(this.tmp, 'tmp'),
    };
  }

  private dirArgs(): string[] {
    return ['--user-data-dir', this.userData, '--extensions-dir', this.extensionsDir, '--config', join(this.tmp, 'config.yaml')];
  }

  /** Installs a .vsix into the run's extensions folder, as a user would (before start). */
  async installVsix(vsix: string): Promise<void> {
    await promisify(execFile)(toolBin('code-server'), [...this.dirArgs(), '--install-extension', vsix], { env: this.env(), timeout: 60_000 });
  }

  /** Starts code-server on a free port and waits until it answers /healthz. */
  async start(options: StartOptions = {}): Promise<void> {
    this.port = await freePort();
    const log = openSync(this.logFile, 'a');
    const args = [
      '--auth', 'none', '--bind-addr', `127.0.0.1:${this.port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override',
      ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      ...this.dirArgs(), this.workspace,
    ];
    const server = spawn(toolBin('code-server'), args, { env: this.env(options.env), stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    this.server = server;
    this.hasExited = false;
    this.exited = new Promise((r) => server.once('exit', () => { this.hasExited = true; r(); }));
    process.on('exit', this.killAtExit);
    exitOnSignals();
    const deadline = Date.now() + healthzTimeoutMs;
    for (;;) {
      if (this.hasExited) throw new Error(`code-server exited at start:\n${this.logTail()}`);
      try {
        if ((await fetch(`${this.origin}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within ${healthzTimeoutMs / 1000} s:\n${this.logTail()}`);
      await sleep(100);
    }
  }

  /** `http://127.0.0.1:PORT`. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A file of the server machine as the workbench names it; such URIs put an extension in the node host. */
  remoteUri(absPath: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${absPath}`;
  }

  /** The workbench on the run's workspace, with an optional payload (extension development and tests). */
  workbenchUrl(payload?: readonly (readonly [string, string])[]): string {
    const query = `folder=${encodeURIComponent(this.workspace)}`;
    return `${this.origin}/?${query}${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
  }

  /** The last lines of the server's log. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Signals the server's process group and every process descending from it (some start their own group). */
  private kill(signal: NodeJS.Signals, pids: readonly number[] = this.server?.pid === undefined ? [] : processTree(this.server.pid)): void {
    if (this.server?.pid === undefined) return;
    signalProcess(-this.server.pid, signal);
    for (const pid of pids) signalProcess(pid, signal);
  }

  /**
   * Stops the server and every process it started (the extension host and others outlive the group),
   * waits until all have exited (they write caches and logs while shutting down), then deletes the
   * run's folder unless `keep` (for a failed run's logs) or KEEP=1.
   */
  async stop({ keep = false }: { keep?: boolean } = {}): Promise<void> {
    const pids = this.server?.pid === undefined ? [] : processTree(this.server.pid);
    this.kill('SIGTERM', pids);
    if (!(await allExited(pids, exitTimeoutMs))) {
      this.kill('SIGKILL', pids);
      await allExited(pids, exitTimeoutMs);
    }
    await this.exited;
    process.off('exit', this.killAtExit);
    await sleep(500);
    if (keep || process.env.KEEP) {
      console.log(`[vscode] kept ${this.tmp}`);
      return;
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** A process's parent id and state from /proc, or undefined when it is gone. */
function procStat(pid: number | string): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** `root` and every process descending from it, from /proc. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** Waits until every process has exited (a zombie counts as exited); false when some remain after `timeoutMs`. */
async function allExited(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((pid) => { const s = procStat(pid); return s === undefined || s.state === 'Z'; })) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}
