/**
 * Writes src/platform/http/openapi-metadata.generated.ts: what the OpenAPI document needs from
 * the TypeScript types, which are gone at run time. For every controller method: its summary and
 * description (the method's doc comment) and the JSON schema of what it returns (the awaited
 * return type, StreamableFile left out: file answers are documented by their media types). For
 * every class a controller takes as @Body or @Query: its properties' doc comments.
 *
 * Why not the Swagger CLI plugin: the build is plain tsc, and the plugin describes classes only,
 * while the services answer with interfaces and object literals. Named interfaces, classes and
 * type aliases become components (so that the dashboard's generated types keep their names);
 * anonymous and generic types are inlined.
 *
 * Usage: node dist/scripts/openapi/response-metadata.js [--check]
 * --check exits 1 when the committed file is not what the code gives today.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { projectRoot } from '../../src/dashboard/dashboard-assets';
import type { JsonSchema, OpenApiMetadata, OperationMetadata } from '../../src/platform/http/openapi-metadata';

export const METADATA_FILE = path.join('src', 'platform', 'http', 'openapi-metadata.generated.ts');

export function generateMetadata(root: string): OpenApiMetadata {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.build.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const controllers = parsed.fileNames.filter((file) => file.endsWith('.controller.ts'));
  const program = ts.createProgram(controllers, { ...parsed.options, noEmit: true, incremental: false });
  const checker = program.getTypeChecker();
  const converter = new SchemaConverter(checker, root);
  const operations: Record<string, OperationMetadata> = {};
  const properties: Record<string, string> = {};
  const dtoClasses = new Set<ts.Symbol>();

  for (const file of controllers.sort()) {
    const source = program.getSourceFile(file)!;
    for (const statement of source.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name || !decoratorNames(statement).some((name) => name === 'Controller' || name === 'ApiController')) continue;
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !ts.isIdentifier(member.name)) continue;
        const verbs = decoratorNames(member).filter((name) => ['Get', 'Post', 'Patch', 'Put', 'Delete', 'Sse'].includes(name));
        if (verbs.length === 0) continue;
        const signature = checker.getSignatureFromDeclaration(member)!;
        const returned = checker.getAwaitedType(signature.getReturnType()) ?? signature.getReturnType();
        const [summary, ...rest] = docComment(checker, checker.getSymbolAtLocation(member.name)).split(/(?<=\.)\s+/);
        operations[`${statement.name.text}.${member.name.text}`] = {
          ...(summary ? { summary: summary.replace(/\.$/, '') } : {}),
          ...(rest.length > 0 ? { description: rest.join(' ') } : {}),
          ...(verbs.includes('Sse') ? {} : { response: converter.response(returned) }),
        };
        for (const parameter of member.parameters) {
          if (!decoratorNames(parameter).some((name) => name === 'Body' || name === 'Query')) continue;
          const symbol = checker.getTypeAtLocation(parameter).getSymbol();
          if (symbol && symbol.flags & ts.SymbolFlags.Class) dtoClasses.add(symbol);
        }
      }
    }
  }
  const describe = (symbol: ts.Symbol, seen: Set<ts.Symbol>) => {
    if (seen.has(symbol)) return;
    seen.add(symbol);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    for (const property of checker.getPropertiesOfType(type)) {
      const comment = docComment(checker, property);
      const owner = ownerClassName(property) ?? symbol.name;
      if (comment) properties[`${owner}.${property.name}`] = comment;
      // Nested DTOs (an array of rows in a body) are documented too.
      const propertyType = checker.getTypeOfSymbol(property);
      const element = checker.isArrayType(propertyType) ? checker.getTypeArguments(propertyType as ts.TypeReference)[0] : propertyType;
      const nested = element.getSymbol();
      if (nested && nested.flags & ts.SymbolFlags.Class && isProjectSymbol(nested, root)) describe(nested, seen);
    }
  };
  const seen = new Set<ts.Symbol>();
  for (const dto of dtoClasses) describe(dto, seen);
  return { schemas: sortKeys(converter.schemas), operations, properties: sortKeys(properties) };
}

function ownerClassName(property: ts.Symbol): string | undefined {
  const declaration = property.valueDeclaration ?? property.declarations?.[0];
  const owner = declaration?.parent;
  return owner && ts.isClassDeclaration(owner) && owner.name ? owner.name.text : undefined;
}

function decoratorNames(node: ts.Node): string[] {
  if (!ts.canHaveDecorators(node)) return [];
  return (ts.getDecorators(node) ?? []).flatMap((decorator) => {
    const expression = ts.isCallExpression(decorator.expression) ? decorator.expression.expression : decorator.expression;
    return ts.isIdentifier(expression) ? [expression.text] : [];
  });
}

function docComment(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): string {
  return symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim() : '';
}

function isProjectSymbol(symbol: ts.Symbol, root: string): boolean {
  const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
  return file.startsWith(path.join(root, 'src')) && !file.includes('node_modules');
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** TypeScript types to JSON Schema (2020-12, as OpenAPI 3.1 has it), as JSON.stringify writes them. */
class SchemaConverter {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly names = new Map<ts.Symbol, string>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly root: string,
  ) {}

  /** Undefined when nothing of the type is JSON (a file, a string of text, or nothing). */
  response(type: ts.Type): JsonSchema | undefined {
    const parts = (type.isUnion() ? type.types : [type]).filter((part) => !this.isFile(part));
    if (parts.length === 0) return undefined;
    if (parts.every((part) => part.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined))) return undefined;
    if (parts.length === 1 && parts[0].flags & ts.TypeFlags.String) return undefined;
    return this.union(parts);
  }

  private isFile(type: ts.Type): boolean {
    return type.getSymbol()?.name === 'StreamableFile';
  }

  schema(type: ts.Type): JsonSchema {
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (flags & ts.TypeFlags.Null) return { type: 'null' };
    if (flags & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [(type as ts.StringLiteralType).value] };
    if (flags & ts.TypeFlags.NumberLiteral) return { type: 'number', enum: [(type as ts.NumberLiteralType).value] };
    if (flags & ts.TypeFlags.BooleanLiteral) return { type: 'boolean' };
    if (flags & ts.TypeFlags.String || flags & ts.TypeFlags.TemplateLiteral) return { type: 'string' };
    if (flags & ts.TypeFlags.Number) return { type: 'number' };
    if (flags & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (flags & ts.TypeFlags.EnumLiteral && type.isUnion()) return this.union(type.types);
    if (type.isUnion()) return this.union(type.types);
    if (type.isIntersection()) return this.object(type);
    if (flags & ts.TypeFlags.Object) {
      const symbolName = type.getSymbol()?.name;
      if (symbolName === 'Date') return { type: 'string', format: 'date-time' };
      if (this.checker.isArrayType(type)) return { type: 'array', items: this.schema(this.checker.getTypeArguments(type as ts.TypeReference)[0]) };
      if (this.checker.isTupleType(type)) {
        const items = this.checker.getTypeArguments(type as ts.TypeReference).map((item) => this.schema(item));
        return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
      }
      return this.named(type) ?? this.object(type);
    }
    return {};
  }

  private union(types: readonly ts.Type[]): JsonSchema {
    const present = types.filter((part) => !(part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    const nullable = present.some((part) => part.flags & ts.TypeFlags.Null);
    const rest = present.filter((part) => !(part.flags & ts.TypeFlags.Null));
    let schema: JsonSchema;
    if (rest.length > 0 && rest.every((part) => part.flags & ts.TypeFlags.BooleanLiteral)) schema = { type: 'boolean' };
    else if (rest.length > 0 && rest.every((part) => part.flags & ts.TypeFlags.StringLiteral)) {
      schema = { type: 'string', enum: rest.map((part) => (part as ts.StringLiteralType).value) };
    } else if (rest.length > 0 && rest.every((part) => part.flags & ts.TypeFlags.NumberLiteral)) {
      schema = { type: 'number', enum: rest.map((part) => (part as ts.NumberLiteralType).value) };
    } else {
      // `true | false | X` is how TypeScript spells `boolean | X`.
      const booleans = rest.filter((part) => part.flags & ts.TypeFlags.BooleanLiteral);
      const others = rest.filter((part) => !(part.flags & ts.TypeFlags.BooleanLiteral));
      const schemas = [...(booleans.length > 0 ? [{ type: 'boolean' }] : []), ...others.map((part) => this.schema(part))];
      schema = schemas.length === 1 ? schemas[0] : { anyOf: dedupe(schemas) };
    }
    if (!nullable) return schema;
    if (rest.length === 0) return { type: 'null' };
    if (typeof schema.type === 'string' && !schema.$ref) {
      return { ...schema, type: [schema.type, 'null'], ...(schema.enum ? { enum: [...(schema.enum as unknown[]), null] } : {}) };
    }
    return { anyOf: [...((schema.anyOf as JsonSchema[]) ?? [schema]), { type: 'null' }] };
  }

  /** A reference to components/schemas for a named, non-generic type of the project. */
  private named(type: ts.Type): JsonSchema | undefined {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (!symbol || symbol.name.startsWith('__') || !isProjectSymbol(symbol, this.root)) return undefined;
    // Types declared inside a function are local names: inlined.
    if (!symbol.declarations?.some((declaration) => ts.isSourceFile(declaration.parent))) return undefined;
    if ((type.aliasTypeArguments?.length ?? 0) > 0) return undefined;
    if (!type.aliasSymbol && (type as ts.TypeReference).typeArguments?.length) return undefined;
    let name = this.names.get(symbol);
    if (!name) {
      name = symbol.name;
      for (let n = 2; [...this.names.values()].includes(name); n++) name = `${symbol.name}${n}`;
      this.names.set(symbol, name);
      this.schemas[name] = {};
      const description = docComment(this.checker, symbol);
      this.schemas[name] = { ...this.object(type), ...(description ? { description } : {}) };
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  private object(type: ts.Type): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const property of this.checker.getPropertiesOfType(type)) {
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (declaration && (ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration))) continue;
      if (declaration && ts.canHaveModifiers(declaration) && ts.getModifiers(declaration)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) continue;
      if (declaration && isUnselectedColumn(declaration)) continue;
      const propertyType = this.checker.getTypeOfSymbol(property);
      if (propertyType.getCallSignatures().length > 0) continue;
      const schema = this.schema(propertyType);
      const description = docComment(this.checker, property);
      properties[property.name] = description && !schema.$ref ? { ...schema, description } : schema;
      const optional = property.flags & ts.SymbolFlags.Optional || (propertyType.isUnion() && propertyType.types.some((part) => part.flags & ts.TypeFlags.Undefined));
      if (!optional) required.push(property.name);
    }
    const index = this.checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & ts.TypeFlags.String);
    return {
      type: 'object',
      ...(Object.keys(properties).length > 0 ? { properties } : {}),
      ...(required.length > 0 ? { required } : {}),
      ...(index ? { additionalProperties: this.schema(index.type) } : {}),
    };
  }
}

/** A TypeORM column with `select: false` (a key's hash) is never loaded for an answer. */
function isUnselectedColumn(declaration: ts.Declaration): boolean {
  if (!ts.canHaveDecorators(declaration)) return false;
  return (ts.getDecorators(declaration) ?? []).some((decorator) => {
    const call = decorator.expression;
    if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'Column') return false;
    return call.arguments.some(
      (argument) =>
        ts.isObjectLiteralExpression(argument) &&
        argument.properties.some((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'select' && p.initializer.kind === ts.SyntaxKind.FalseKeyword),
    );
  });
}

function dedupe(schemas: JsonSchema[]): JsonSchema[] {
  const seen = new Set<string>();
  return schemas.filter((schema) => {
    const key = JSON.stringify(schema);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function metadataSource(metadata: OpenApiMetadata): string {
  return [
    "// Generated by scripts/openapi/response-metadata.ts from the controllers' types: do not edit.",
    '// Regenerate: npm run -s build && node dist/scripts/openapi/response-metadata.js',
    "import type { OpenApiMetadata } from './openapi-metadata';",
    '',
    `export const OPENAPI_METADATA: OpenApiMetadata = ${JSON.stringify(metadata, null, 2)};`,
    '',
  ].join('\n');
}

if (require.main === module) {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const root = projectRoot(__dirname);
  const file = path.join(root, METADATA_FILE);
  const source = metadataSource(generateMetadata(root));
  if (values.check) {
    if (readFileSync(file, 'utf8') !== source) {
      process.stderr.write(`${METADATA_FILE} is not current: node dist/scripts/openapi/response-metadata.js\n`);
      process.exit(1);
    }
    process.stdout.write(`${METADATA_FILE} is current\n`);
  } else {
    writeFileSync(file, source);
    process.stdout.write(`wrote ${METADATA_FILE}\n`);
  }
}
