// Patch formats the API server accepts; see README.md.
export { applyJsonPatch, decodeJsonPatch, pointerToFieldPath } from './json-patch.ts';
export { applyMergePatch, createMergePatch, jsonEqual } from './merge-patch.ts';
export {
  applyStrategicMergePatch, listStrategy, PATCH_DIRECTIVE, RETAIN_KEYS, SET_ELEMENT_ORDER, DELETE_FROM_PRIMITIVE_LIST, type ListStrategy,
} from './strategic-merge.ts';
export { createStrategicMergePatch } from './strategic-diff.ts';
