export { default } from './plugin';
export { analyzeSourceFile, type Analysis } from './analyze';
export { emitModule } from './emit/module';
export { rules, toTsDiagnostic, type Rule, type ContractDiagnostic } from './diagnostics';
