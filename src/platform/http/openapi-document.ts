import { INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA, SSE_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { ApiProperty, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { PUBLIC_KEY, ROLES_KEY } from '../access/roles.decorator';
import { REPORT_FORMATS } from '../../reports/export/report-file';
import { JsonSchema, OpenApiMetadata } from './openapi-metadata';
import { OPENAPI_METADATA } from './openapi-metadata.generated';
import { OPENAPI_EXAMPLES } from './openapi-examples';

// class-transformer keeps @Type's metadata (a nested body class) in a storage its index does not export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/**
 * The REST API's OpenAPI 3.1 document, served at /docs-json. Nest's explorer gives the paths and
 * parameters; what it cannot see comes from two places:
 *  - request bodies and query parameters: the class-validator decorators the ValidationPipe
 *    enforces (types, enums, bounds, patterns), the classes' initial values as defaults;
 *  - summaries and response schemas: openapi-metadata.generated.ts, read from the TypeScript types
 *    by scripts/openapi/response-metadata.ts (a test fails when it is not current).
 * Every error answers with the one shape of AllExceptionsFilter and the ValidationPipe: `Error`.
 */
export function buildOpenApiDocument(app: INestApplication, metadata: OpenApiMetadata = OPENAPI_METADATA): OpenAPIObject {
  const handlers = controllerHandlers(app);
  for (const handler of handlers.values()) for (const dto of handler.dtos) describeDto(dto, metadata);
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Klimaklok Fleet Monitor')
    .setDescription(
      'Fleet and charge-point monitoring and climate reporting for municipalities. Every route under /api needs an API key ' +
        '(`Authorization: Bearer <key>`); its role decides which routes answer (each operation lists its roles). Reports ' +
        'answer JSON, or a file with `format=csv` or `format=xlsx`. Errors have one shape: `Error`.',
    )
    .setVersion('1')
    .setLicense('UNLICENSED', 'https://choosealicense.com/no-permission/')
    .addServer('/', 'This service')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key, created by an admin (POST /api/v1/api-keys).' }, 'apiKey')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller}_${method}`,
  });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...(metadata.schemas as Record<string, SchemaObject>), Error: ERROR_SCHEMA as SchemaObject },
    responses: ERROR_RESPONSES as Record<string, ResponseObject>,
  };
  document.tags = [...new Set(Object.values(document.paths).flatMap((item) => Object.values(item).flatMap((operation) => operation?.tags ?? [])))]
    .sort()
    .map((name) => ({ name, description: TAGS[name] ?? name }));
  for (const [path, item] of Object.entries(document.paths)) {
    for (const verb of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[verb];
      if (!operation?.operationId) continue;
      const handler = handlers.get(operation.operationId);
      if (!handler) throw new Error(`OpenAPI: no controller method for ${operation.operationId}`);
      completeOperation(path, operation as never, handler, metadata.operations[handler.key] ?? {});
    }
  }
  return withoutNullable(document);
}

/** Nest's explorer writes OpenAPI 3.0's `nullable` (from @ApiProperty); 3.1 says `type: [T, 'null']`. */
function withoutNullable<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withoutNullable) as T;
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, withoutNullable(value)]));
  if (nullable === true && typeof converted.type === 'string') converted.type = [converted.type, 'null'];
  return converted as T;
}

interface Handler {
  /** `ControllerClass.method`, as in the generated metadata. */
  key: string;
  roles: string[] | null;
  isPublic: boolean;
  isStream: boolean;
  /** Whether the query takes `format=csv|xlsx` (a report that can answer a file). */
  hasFileFormats: boolean;
  dtos: Type[];
}

function controllerHandlers(app: INestApplication): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const method = controller.prototype[name];
        if (name === 'constructor' || typeof method !== 'function' || Reflect.getMetadata(METHOD_METADATA, method) === undefined) continue;
        if (Reflect.getMetadata(PATH_METADATA, method) === undefined) continue;
        const paramTypes: unknown[] = Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? [];
        const args: Record<string, { index: number }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {};
        const dtos = Object.entries(args)
          .filter(([key]) => [RouteParamtypes.BODY, RouteParamtypes.QUERY].includes(Number(key.split(':')[0])))
          .map(([, arg]) => paramTypes[arg.index])
          .filter((type): type is Type => typeof type === 'function' && ![Object, String, Number, Boolean, Array].includes(type as never));
        const queries = Object.entries(args)
          .filter(([key]) => Number(key.split(':')[0]) === RouteParamtypes.QUERY)
          .map(([, arg]) => paramTypes[arg.index]);
        handlers.set(`${controller.name}_${name}`, {
          key: `${controller.name}.${name}`,
          roles: Reflect.getMetadata(ROLES_KEY, method) ?? Reflect.getMetadata(ROLES_KEY, controller) ?? null,
          isPublic: Boolean(Reflect.getMetadata(PUBLIC_KEY, method) ?? Reflect.getMetadata(PUBLIC_KEY, controller)),
          isStream: Boolean(Reflect.getMetadata(SSE_METADATA, method)),
          hasFileFormats: queries.some(
            (type) => typeof type === 'function' && validations(type as Type).some((v) => v.propertyName === 'format' && v.name === 'isIn' && sameValues(v.constraints[0], REPORT_FORMATS)),
          ),
          dtos,
        });
      }
    }
  }
  return handlers;
}

function sameValues(a: unknown, b: readonly string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((value) => b.includes(value));
}

function validations(dto: Type): ValidationMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
}

const described = new WeakSet<Type>();

/** Swagger property metadata for a body or query class, from what its validation accepts. */
function describeDto(dto: Type, metadata: OpenApiMetadata) {
  if (described.has(dto)) return;
  described.add(dto);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const validation of validations(dto)) byProperty.set(validation.propertyName, [...(byProperty.get(validation.propertyName) ?? []), validation]);
  let defaults: Record<string, unknown> = {};
  try {
    defaults = new dto() as Record<string, unknown>;
  } catch {
    // A class that needs constructor arguments has no defaults to show.
  }
  for (const [property, rules] of byProperty) {
    const designType = Reflect.getMetadata('design:type', dto.prototype, property);
    const nested = defaultMetadataStorage.findTypeMetadata(dto, property)?.typeFunction();
    const schema = propertySchema(rules, designType, nested);
    if (nested && schema.$nested) describeDto(nested as Type, metadata);
    const description = docOf(dto, property, metadata);
    const existing = Reflect.getMetadata('swagger/apiModelProperties', dto.prototype, property) ?? {};
    const optional = rules.some((rule) => rule.type === 'conditionalValidation');
    const initial = defaults[property];
    const { $nested, ...options } = schema;
    ApiProperty({
      ...options,
      ...($nested ? { type: () => $nested } : {}),
      required: !optional,
      ...(description ? { description } : {}),
      ...(initial !== undefined && (typeof initial !== 'object' || initial === null) ? { default: initial } : {}),
      ...existing,
    } as never)(dto.prototype, property);
  }
}

function docOf(dto: Type, property: string, metadata: OpenApiMetadata): string | undefined {
  for (let type: Type | null = dto; type && type !== Object; type = Object.getPrototypeOf(type)) {
    const doc = metadata.properties[`${type.name}.${property}`];
    if (doc) return doc;
  }
  return undefined;
}

/** The schema keywords of a property's class-validator rules (`each` rules describe the items). */
function propertySchema(rules: ValidationMetadata[], designType: unknown, nested: unknown): Record<string, unknown> & { $nested?: unknown } {
  const own: Record<string, unknown> = {};
  const items: Record<string, unknown> = {};
  let isArray = designType === Array;
  for (const rule of rules) {
    const target = rule.each ? items : own;
    if (rule.each) isArray = true;
    const [first, second] = rule.constraints ?? [];
    switch (rule.name ?? (rule.type === 'nestedValidation' ? 'nested' : rule.type)) {
      case 'isString':
        target.type = 'string';
        break;
      case 'isInt':
        target.type = 'integer';
        break;
      case 'isNumber':
        target.type = 'number';
        break;
      case 'isBoolean':
        target.type = 'boolean';
        break;
      case 'isIn':
        target.enum = [...(first as unknown[])];
        break;
      case 'isEnum':
        target.enum = Object.values(first as object);
        break;
      case 'isUuid':
        target.type = 'string';
        target.format = 'uuid';
        break;
      case 'isEmail':
        target.type = 'string';
        target.format = 'email';
        break;
      case 'isUrl':
        target.type = 'string';
        target.format = 'uri';
        break;
      case 'isIso8601':
      case 'isDateString':
        target.type = 'string';
        target.pattern ??= '^\\d{4}-\\d{2}-\\d{2}';
        break;
      case 'matches':
        target.type = 'string';
        target.pattern = (first instanceof RegExp ? first : new RegExp(String(first))).source;
        break;
      case 'min':
        target.minimum = first;
        break;
      case 'max':
        target.maximum = first;
        break;
      case 'isPositive':
        target.exclusiveMinimum = 0;
        break;
      case 'minLength':
        target.minLength = first;
        break;
      case 'maxLength':
        target.maxLength = first;
        break;
      case 'isLength':
        target.minLength = first;
        if (second !== undefined) target.maxLength = second;
        break;
      case 'isNotEmpty':
        if (designType === String) target.minLength ??= 1;
        break;
      case 'arrayMinSize':
        own.minItems = first;
        isArray = true;
        break;
      case 'arrayMaxSize':
        own.maxItems = first;
        isArray = true;
        break;
      case 'isArray':
        isArray = true;
        break;
      case 'isObject':
        target.type = 'object';
        target.additionalProperties = true;
        break;
      case 'isLatitude':
        target.type = 'number';
        target.minimum = -90;
        target.maximum = 90;
        break;
      case 'isLongitude':
        target.type = 'number';
        target.minimum = -180;
        target.maximum = 180;
        break;
      default:
        break;
    }
  }
  if (isArray) {
    const itemSchema = nested ? {} : { ...(items.type ? {} : { type: typeName(own.type ?? designTypeName(designType)) }), ...items };
    const { minItems, maxItems } = own;
    return {
      isArray: true,
      ...(nested ? { $nested: nested } : { type: itemSchema.type ?? 'string', ...itemSchema }),
      ...(minItems !== undefined ? { minItems } : {}),
      ...(maxItems !== undefined ? { maxItems } : {}),
    };
  }
  if (nested && rules.some((rule) => rule.type === 'nestedValidation')) return { $nested: nested };
  if (own.enum && !own.type) own.type = typeof (own.enum as unknown[])[0] === 'number' ? 'number' : 'string';
  return { type: typeName(own.type ?? designTypeName(designType)), ...own };
}

function designTypeName(designType: unknown): string {
  if (designType === Number) return 'number';
  if (designType === Boolean) return 'boolean';
  if (designType === Object) return 'object';
  return 'string';
}

function typeName(type: unknown): string {
  return typeof type === 'string' && type !== 'array' ? type : 'string';
}

const TAGS: Record<string, string> = {
  alerts: 'Alert rules, alerts and scheduled deliveries',
  'api keys': 'API keys and who the caller is',
  auth: 'The audit log of changing requests',
  charging: 'Charge points, their sessions and session imports',
  emissions: 'Factor sets, budgets, year locks, fuel imports and the electrification plan',
  fleet: 'Vehicles with their live state, daily figures, trips and the map',
  platform: 'Health and metrics',
  registry: 'Organizations, subsidy grants, vehicles and charge points',
  reports: 'Climate and charging reports: JSON, CSV or XLSX',
  telemetry: 'Dead letters of the ingest',
};

const ERROR_SCHEMA = {
  type: 'object',
  description: 'Every error: the HTTP status, a message for people, and for invalid input (400) each field at fault. A 429 and a 503 also send Retry-After.',
  required: ['statusCode', 'message'],
  properties: {
    statusCode: { type: 'integer', examples: [400] },
    message: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], examples: ['Invalid input'] },
    error: { type: 'string', examples: ['Bad Request'] },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ERROR_RESPONSES = {
  BadRequest: errorResponse('Invalid input: every field at fault is named in `errors`'),
  Unauthorized: errorResponse('No API key, or an unknown, revoked or expired one'),
  Forbidden: errorResponse("The key's role may not call this route, or the object is outside the key's organization"),
  NotFound: errorResponse('No such object'),
  TooManyRequests: errorResponse('Rate limit of the key reached; retry after Retry-After seconds'),
  Unavailable: errorResponse('The database is unreachable or busy; retry after Retry-After seconds'),
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>;
  requestBody?: unknown;
  responses: Record<string, { description?: string; content?: Record<string, unknown> }>;
  security?: unknown[];
}

function completeOperation(path: string, operation: Operation, handler: Handler, generated: { summary?: string; description?: string; response?: JsonSchema }) {
  operation.summary = operation.summary || generated.summary || defaultSummary(operation.operationId);
  const roles = handler.roles ? `Roles: ${handler.roles.join(', ')}.` : undefined;
  operation.description = [operation.description || generated.description, roles].filter(Boolean).join('\n\n') || undefined;
  if (handler.roles) (operation as unknown as Record<string, unknown>)['x-roles'] = handler.roles;
  operation.security = handler.isPublic ? [] : [{ apiKey: [] }];

  const [status, success] = Object.entries(operation.responses).find(([code]) => code.startsWith('2')) ?? ['200', { description: '' }];
  const content: Record<string, unknown> = { ...(success.content ?? {}) };
  if (handler.isStream) content['text/event-stream'] = { schema: { type: 'string', description: 'Server-sent events' } };
  else if (generated.response && !content['application/json']) {
    const examples = OPENAPI_EXAMPLES[handler.key];
    content['application/json'] = { schema: generated.response, ...(examples ? { example: examples } : {}) };
  } else if (!generated.response && status !== '204' && Object.keys(content).length === 0) content['text/plain'] = { schema: { type: 'string' } };
  if (handler.hasFileFormats) {
    content['text/csv'] = { schema: { type: 'string', description: 'format=csv: RFC 4180, or with locale=nb `;`-separated with decimal comma and BOM' } };
    content[XLSX] = { schema: { type: 'string', format: 'binary', description: 'format=xlsx' } };
  }
  // The health check answers its report with 503 when something is down.
  if (handler.key === 'HealthController.check') operation.responses['503'] = { description: 'Something is down: the same report', content };
  operation.responses[status] = { ...success, description: success.description || (status === '204' ? 'Done, no content' : 'OK'), ...(Object.keys(content).length > 0 ? { content } : {}) };

  const errors: Record<string, { $ref: string }> = {};
  if ((operation.parameters ?? []).some((parameter) => parameter.in === 'query') || operation.requestBody || path.includes('{')) errors['400'] = { $ref: '#/components/responses/BadRequest' };
  if (!handler.isPublic) {
    errors['401'] = { $ref: '#/components/responses/Unauthorized' };
    errors['403'] = { $ref: '#/components/responses/Forbidden' };
    if (path.includes('{')) errors['404'] = { $ref: '#/components/responses/NotFound' };
    errors['429'] = { $ref: '#/components/responses/TooManyRequests' };
  }
  errors['503'] = { $ref: '#/components/responses/Unavailable' };
  for (const [code, response] of Object.entries(errors)) if (!operation.responses[code]) (operation.responses as Record<string, unknown>)[code] = response;
}

/** `OrganizationsController_list` → `List organizations`. */
function defaultSummary(operationId: string): string {
  const [controller, method] = operationId.split('_');
  const subject = controller
    .replace(/Controller$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const verb = method.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const one = subject.replace(/s$/, '');
  const phrases: Record<string, string> = { list: `List ${subject}`, get: `Get one ${one}`, create: `Create a ${one}`, update: `Update a ${one}`, remove: `Delete a ${one}` };
  return phrases[verb] ?? `${verb[0].toUpperCase()}${verb.slice(1)} (${subject})`;
}
