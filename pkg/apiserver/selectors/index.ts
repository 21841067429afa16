// Label and field selectors; see README.md.
export {
  parseLabelSelector,
  matchLabels,
  labelSelectorToString,
  requirementToString,
  selectorFromLabelSelectorObject,
  type LabelSelector,
  type LabelRequirement,
  type LabelOperator,
  type LabelSelectorObject,
} from './labels.ts';
export {
  parseFieldSelector,
  matchFields,
  fieldSelectorToString,
  requiredFieldValue,
  escapeFieldValue,
  unescapeFieldValue,
  ALWAYS_SELECTABLE,
  type FieldSelector,
  type FieldRequirement,
  type FieldOperator,
} from './fields.ts';
export { labelKeyErrors, labelValueErrors } from './validation.ts';
