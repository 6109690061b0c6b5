/** Example answers of the reports in the OpenAPI document, keyed `ControllerClass.method`; each must validate against its schema (Redocly checks). */
export const OPENAPI_EXAMPLES: Record<string, unknown> = {};
