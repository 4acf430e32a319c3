'use strict';
// tsserver resolves a tsconfig plugin `name` as a plain path under node_modules (Node10 resolution
// without package.json "exports"), so "ts-ipa/language-service" must exist as a file here, not only
// as the "./language-service" export that Node's require() honours. Both lead to the same module.
module.exports = require('./dist/transformer/language-service.js');
