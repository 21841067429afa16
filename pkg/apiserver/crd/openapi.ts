// OpenAPI documents of the custom kinds, rebuilt once after each change of CustomKinds (not per request): one
// v3 document per custom group-version, and the Swagger 2.0 document of every kind, built-in and custom.
import { buildOpenApiV3, groupVersionPath } from '../../../api/openapi.ts';
import { buildSwaggerV2 } from '../../../api/swagger.ts';
import type { KindInfo } from '../../../api/schemas/kind.ts';
import type { CustomKinds } from './registry.ts';

/** Cached OpenAPI documents that follow CustomKinds. */
export class CustomOpenApi {
  private builtAt = -1;
  private docs: Record<string, string> = {};
  private swagger = '';

  constructor(private readonly custom: CustomKinds, private readonly builtIn: KindInfo[]) {}

  /** The v3 documents of the custom group-versions, by path (`apis/example.com/v1`), as served text. */
  documents(): Record<string, string> {
    this.refresh();
    return this.docs;
  }

  /** `/openapi/v2` as served text: built-in and custom kinds. */
  swaggerV2(): string {
    this.refresh();
    return this.swagger;
  }

  private refresh(): void {
    if (this.builtAt === this.custom.generation) return;
    const kinds = this.custom.all();
    const docs: Record<string, string> = {};
    for (const [group, versions] of this.custom.groups()) {
      for (const v of versions) docs[groupVersionPath(group, v)] = JSON.stringify(buildOpenApiV3(kinds, group, v));
    }
    this.docs = docs;
    this.swagger = JSON.stringify(buildSwaggerV2([...this.builtIn, ...kinds]));
    this.builtAt = this.custom.generation;
  }
}
