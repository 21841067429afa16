// Patch formats the API server accepts; see README.md.
export { applyJsonPatch, decodeJsonPatch, pointerToFieldPath } from './json-patch.ts';
export { applyMergePatch, createMergePatch, jsonEqual } from './merge-patch.ts';
