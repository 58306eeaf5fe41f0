// Imported first by tests that load adapters: from here on `require('vscode')` gets the stand-in.
import { installVscodeStub } from './vscodeStub';

installVscodeStub();
