// Write rules of the security kinds: a Token's name must be a SHA-256 (so no stored name is a usable token),
// and a binding's roleRef never changes (Kubernetes: delete and recreate the binding instead).
import { TOKEN_NAME_PATTERN } from '../../../api/schemas/index.ts';
import type { StatusCause } from '../../apierrors/status.ts';
import type { AdmissionHook } from '../admission.ts';
import { deepEqual } from '../codec.ts';

const TOKEN_NAME = new RegExp(TOKEN_NAME_PATTERN);

/** The admission hook of Token, RoleBinding and ClusterRoleBinding. */
export const securityObjectRules: AdmissionHook = {
  kinds: ['Token', 'RoleBinding', 'ClusterRoleBinding'],
  validate(op, obj, old) {
    const causes: StatusCause[] = [];
    if (obj.kind === 'Token' && op === 'CREATE' && !TOKEN_NAME.test(obj.metadata.name)) {
      causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(obj.metadata.name)}: must be the lowercase hex SHA-256 of the token (64 characters 0-9a-f)` });
    }
    const roleRef = (o: unknown) => (o as { roleRef?: unknown }).roleRef;
    if (op === 'UPDATE' && old && obj.kind !== 'Token' && !deepEqual(roleRef(obj), roleRef(old))) {
      causes.push({ reason: 'FieldValueInvalid', field: 'roleRef', message: 'Invalid value: cannot change roleRef' });
    }
    return causes;
  },
};
