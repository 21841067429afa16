// Server-side apply and managedFields; see README.md.
export { applyPatch, type ApplyRequest } from './apply.ts';
export { recordUpdate, type UpdateRequest } from './update.ts';
export { FieldSet, fromFieldsV1, toFieldsV1, pathToString, fieldPE, keyPE, valuePE, type FieldPath, type PathElement } from './fieldset.ts';
export { DEFAULT_LIST_RULES, type ListRule, type ListRules } from './lists.ts';
export { fieldsOf, compareObjects, ownable, valueAtPath, type Comparison } from './walk.ts';
export { checkFieldManager, managerFromUserAgent, describeManager } from './managers.ts';
