/** Command ids (package.json `contributes.commands`); stable: the end-to-end tests call them. */
export const commandIds = {
  quantizeTensor: 'clipwise.quantizeTensor',
  findBestPercentile: 'clipwise.findBestPercentile',
  exportCodes: 'clipwise.exportCodes',
  exportParams: 'clipwise.exportParams',
  copyPythonSnippet: 'clipwise.copyPythonSnippet',
} as const;
