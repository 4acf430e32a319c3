export { IPA_MODULE_API_VERSION, MANIFEST_FILE, SIGNATURE_FILE, readManifest, type ModuleManifest } from './manifest';
export { generateKeyPair, keyId, publicKey, signModule, verifyModule, TrustedKeys, type KeyInput, type SignatureCheck, type VerifiedModule } from './signature';
export { IPAManager, defaultIPAManager, MODULE_PATH_ENV, FORCE_ISOLATION_ENV, type IPAManagerOptions, type FoundModule, type CreateIPAOptions, type IsolationDecision } from './manager';
export { projectPublicKey, PROJECT_KEY_FILE } from './project-key';
