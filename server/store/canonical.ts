// Canonical JSON for the hash chain: object keys sorted by code unit, no whitespace, `undefined`
// members dropped (as JSON.stringify does); non-finite numbers refused. Written once, in plain
// JavaScript (chain-core.mjs), because the store's writer thread computes the chain too (issue 15).
export { canonicalJson, sha256, GENESIS_HASH } from './chain-core.mjs';
