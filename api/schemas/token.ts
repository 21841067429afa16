// auth.drover.dev/v1 Token: a bearer token's record. Only its SHA-256 is stored — the object's name is the
// hex digest — so reading Tokens never reveals a credential; deleting one revokes it.
import { Type } from '@sinclair/typebox';
import { Obj, Fixed, Timestamp } from './common.ts';
import { ObjectMeta } from './meta.ts';

/** The group of Drover's authentication objects. */
export const AUTH_GROUP = 'auth.drover.dev';
/** apiVersion of Token objects. */
export const AUTH_API_VERSION = `${AUTH_GROUP}/v1`;
/** A Token's name: the lowercase hex SHA-256 of the token. */
export const TOKEN_NAME_PATTERN = '^[0-9a-f]{64}$';

/** The Token object schema. */
export const TokenSchema = Obj(
  {
    apiVersion: Fixed(AUTH_API_VERSION, { description: `Versioned schema of this representation: ${AUTH_API_VERSION}.` }),
    kind: Fixed('Token', { description: 'Kind of this object: Token.' }),
    metadata: ObjectMeta(),
    spec: Obj(
      {
        user: Type.String({ minLength: 1, description: 'The user the token authenticates as.' }),
        userGroups: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Groups of that user (system:authenticated is always added).' })),
        expirationTimestamp: Type.Optional(Timestamp({ description: 'After this the token is refused (401); absent = never expires.' })),
        serviceAccount: Type.Optional(Obj(
          {
            namespace: Type.String({ minLength: 1 }),
            name: Type.String({ minLength: 1 }),
            uid: Type.String({ minLength: 1, description: 'The account this token was issued to: deleting (or recreating) it revokes the token.' }),
          },
          { description: 'Set for ServiceAccount tokens (TokenRequest).' },
        )),
        description: Type.Optional(Type.String({ description: 'What the token is for.' })),
      },
      { description: 'Who the token authenticates as, and until when.' },
    ),
  },
  { description: 'A bearer token, stored as its SHA-256 digest (the name); delete it to revoke the token.' },
);
