// CustomResourceDefinitions inside the API server: one object that wires the controller, the registry of
// custom kinds, their OpenAPI documents and their routes into createApiServer with three small hooks.
import type { FastifyInstance } from 'fastify';
import { groupOf, type KindInfo } from '../../../api/schemas/kind.ts';
import { CRD_GROUP } from '../../../api/schemas/crd.ts';
import type { ServerContext } from '../context.ts';
import type { CustomDocuments } from '../routes.ts';
import { CrdController } from './controller.ts';
import { CustomOpenApi } from './openapi.ts';
import { CustomKinds } from './registry.ts';
import { registerCustomKindRoutes } from './routes.ts';

export { crdAdmission, CLEANUP_FINALIZER } from './admission.ts';
export { CustomKinds } from './registry.ts';

/** The CustomResourceDefinition kind among `kinds`, when served. */
export function crdKindOf(kinds: KindInfo[]): KindInfo | undefined {
  return kinds.find((k) => k.kind === 'CustomResourceDefinition' && groupOf(k) === CRD_GROUP);
}

/** Custom kinds served by one API server. */
export class CustomResources {
  readonly kinds = new CustomKinds();
  private readonly openapi: CustomOpenApi;
  private controller?: CrdController;

  constructor(private readonly crdKind: KindInfo, builtIn: KindInfo[]) {
    this.openapi = new CustomOpenApi(this.kinds, builtIn);
  }

  /** Serve the stored CRDs (call after the caches started, before listening), then follow changes. */
  async start(ctx: ServerContext): Promise<void> {
    this.controller = new CrdController({ ctx, crdKind: this.crdKind, customKinds: this.kinds });
    await this.controller.start();
  }

  /** The custom kinds' share of /apis and the OpenAPI documents. */
  documents(): CustomDocuments {
    return { kinds: () => this.kinds.all(), openApiDocuments: () => this.openapi.documents(), swaggerV2: () => this.openapi.swaggerV2() };
  }

  /** Register the routes of the custom kinds. */
  registerRoutes(app: FastifyInstance, ctx: ServerContext): void {
    registerCustomKindRoutes(app, ctx, this.kinds, this.openapi);
  }

  /** Stop following CRDs. */
  async stop(): Promise<void> {
    await this.controller?.stop();
  }
}
