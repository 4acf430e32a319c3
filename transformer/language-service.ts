import type * as ts from 'typescript/lib/tsserverlibrary';
import { analyzeSourceFile } from './analyze';
import { toTsDiagnostic } from './diagnostics';

const projectsWithContractDiagnostics = new WeakSet<ts.server.Project>();

/**
 * The editor side: a TypeScript language-service plugin (`{ "name": "ts-ipa/language-service" }`
 * in tsconfig.json "plugins") that adds the transformer's contract diagnostics to each file's
 * semantic diagnostics, so broken rules show as you type, with the same rules and messages.
 */
function init(modules: { typescript: typeof ts }): ts.server.PluginModule {
  // The TypeScript that runs tsserver, which may be another copy than the one ts-ipa would import:
  // the analysis only uses this one, so node kinds, flags and diagnostics all come from the same copy.
  const tsApi = modules.typescript;
  return {
    create(info) {
      // When a project reloads (its tsconfig.json edited, or the editor sends reloadProjects),
      // tsserver runs each plugin's create() again over the project's current language service,
      // which is the one this plugin already extended: extending it again would report every
      // contract error twice.
      if (info.project) {
        if (projectsWithContractDiagnostics.has(info.project)) return info.languageService;
        projectsWithContractDiagnostics.add(info.project);
      }
      const service = info.languageService;
      const proxy: ts.LanguageService = Object.create(null);
      for (const key of Object.keys(service) as (keyof ts.LanguageService)[]) {
        const member = service[key];
        (proxy as unknown as Record<string, unknown>)[key] = typeof member === 'function' ? member.bind(service) : member;
      }
      proxy.getSemanticDiagnostics = (fileName) => {
        const diagnostics = service.getSemanticDiagnostics(fileName);
        return [...diagnostics, ...contractDiagnostics(tsApi, service, fileName)];
      };
      return proxy;
    },
  };
}

function contractDiagnostics(tsApi: typeof ts, service: ts.LanguageService, fileName: string): ts.Diagnostic[] {
  const program = service.getProgram();
  const file = program?.getSourceFile(fileName);
  if (!program || !file || file.isDeclarationFile) return [];
  try {
    return analyzeSourceFile(tsApi, program.getTypeChecker(), file).diagnostics.map((d) => toTsDiagnostic(tsApi, d));
  } catch {
    // A half-typed file can confuse the analysis; the compiler reports what is wrong with it.
    return [];
  }
}

// tsserver loads plugins with require() and calls the module itself.
export = Object.assign(init, { contractDiagnostics });
