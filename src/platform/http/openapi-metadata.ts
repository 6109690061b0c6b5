/** What scripts/openapi/response-metadata.ts reads from the TypeScript types for the OpenAPI document. */
export type JsonSchema = Record<string, unknown>;

export interface OperationMetadata {
  summary?: string;
  description?: string;
  /** Undefined: the method answers with no JSON body (a file, a text or a stream only). */
  response?: JsonSchema;
}

export interface OpenApiMetadata {
  /** Named types, for components/schemas. */
  schemas: Record<string, JsonSchema>;
  /** Keyed `ControllerClass.method`. */
  operations: Record<string, OperationMetadata>;
  /** Keyed `DtoClass.property`: the property's doc comment. */
  properties: Record<string, string>;
}
