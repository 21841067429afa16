// Kubernetes' label key and value syntax (apimachinery's IsQualifiedName / IsValidLabelValue), returning the
// same messages so a client sees what kubectl users already know.

const NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const NAME_RE = new RegExp(`^${NAME_FMT}$`);
const VALUE_RE = new RegExp(`^(${NAME_FMT})?$`);
const DNS_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS_SUBDOMAIN_RE = new RegExp(`^${DNS_SUBDOMAIN_FMT}$`);

const NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric " +
  `character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${NAME_FMT}')`;
const QUALIFIED_MSG =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  `alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${NAME_FMT}') ` +
  "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const PREFIX_MSG =
  "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and " +
  `must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS_SUBDOMAIN_FMT}')`;
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and " +
  `end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(${NAME_FMT})?')`;

/** Problems with a label key (`[prefix/]name`); empty when valid. */
export function labelKeyErrors(key: string): string[] {
  const parts = key.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
    else if (!DNS_SUBDOMAIN_RE.test(prefix)) errs.push(PREFIX_MSG);
  } else {
    return [QUALIFIED_MSG];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !NAME_RE.test(name)) errs.push(NAME_MSG);
  return errs;
}

/** Problems with a label value (empty, or at most 63 name characters); empty when valid. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!VALUE_RE.test(value)) errs.push(VALUE_MSG);
  return errs;
}

/** `field: Invalid value: "v": reasons`, the text of Kubernetes' field.Invalid error. */
export function invalidValue(field: string, value: string, errs: string[]): string {
  return `${field}: Invalid value: ${JSON.stringify(value)}: ${errs.join('; ')}`;
}
