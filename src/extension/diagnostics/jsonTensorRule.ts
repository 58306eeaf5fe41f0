import { looksLikeJsonTensorText } from '../../core/formats/jsonDetect';

/**
 * When a JSON file counts as a tensor file (README: "JSON tensor files"):
 * - its name ends in `.tensor.json` or `.tensors.json` — whatever it holds (a bad one gets error diagnostics); or
 * - it is open, in the workspace, and its text looks like a tensor (`looksLikeJsonTensorText`: an array of
 *   numbers, a `{"shape", "dtype", "data"}` object, or an object of such tensors).
 * Never the well-known configuration files below, whatever they hold. Open files that qualify are listed
 * in the context key `clipwise.jsonTensorFiles`, so that menus can offer the commands on them.
 */
export const jsonTensorNamePattern = /\.tensors?\.json$/i;

/** The context key holding the paths of open JSON tensor files (resourcePath values: fsPath and URI path). */
export const jsonTensorFilesContextKey = 'clipwise.jsonTensorFiles';

/** The `when` clause of every menu entry of the tensor commands (package.json `contributes.menus`). */
export const tensorFileWhenClause =
  'resourceExtname =~ /^\\.(npy|npz|safetensors)$/i || resourceFilename =~ /\\.tensors?\\.json$/i || resourcePath in clipwise.jsonTensorFiles';

/** Configuration files that are never tensor files. */
const excludedNames: ReadonlySet<string> = new Set([
  'package.json', 'package-lock.json', 'tsconfig.json', 'jsconfig.json', 'settings.json', 'launch.json', 'tasks.json',
  'extensions.json', 'keybindings.json', 'composer.json', 'bower.json', 'manifest.json', 'deno.json', '.eslintrc.json',
]);

/** The base name of a path with / or \\ separators. */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** True when the name alone makes a file a JSON tensor file. */
export function isJsonTensorName(path: string): boolean {
  return jsonTensorNamePattern.test(baseName(path));
}

/** What the rule looks at: a JSON document's path, language and text. */
export interface JsonCandidate {
  readonly path: string;
  readonly languageId: string;
  /** The text, read only when the name does not decide. */
  readonly text: () => string;
}

/** True when an open document is a JSON tensor file by the rule above (the workspace check is the caller's). */
export function isJsonTensorDocument(doc: JsonCandidate): boolean {
  const name = baseName(doc.path).toLowerCase();
  if (excludedNames.has(name) || /^tsconfig\..*\.json$/.test(name)) return false;
  const isJson = doc.languageId === 'json' || doc.languageId === 'jsonc' || name.endsWith('.json');
  if (!isJson) return false;
  return isJsonTensorName(name) || looksLikeJsonTensorText(doc.text());
}
