/**
 * The server's types, as the dashboard uses them: read from api-types.generated.ts, which the build
 * writes from the service's OpenAPI document (scripts/build-dashboard.ts). Nothing here copies a
 * server type; a change on the server that the dashboard's code no longer fits fails the build.
 */
import type { components, paths } from './api-types.generated';

export type Schemas = components['schemas'];

type Json<Response> = Response extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON a GET route answers with 200. */
export type Answer<Path extends keyof paths> = paths[Path] extends { get: { responses: { 200: infer Response } } } ? Json<Response> : never;

/** The JSON a POST route answers with 200 or 201. */
export type Posted<Path extends keyof paths> = paths[Path] extends { post: { responses: infer Responses } }
  ? Responses extends { 201: infer Created }
    ? Json<Created>
    : Responses extends { 200: infer Ok }
      ? Json<Ok>
      : never
  : never;

/** The JSON body a POST route takes. */
export type PostBody<Path extends keyof paths> = paths[Path] extends { post: { requestBody: { content: { 'application/json': infer Body } } } } ? Body : never;

/** The query parameters of a GET route. */
export type QueryOf<Path extends keyof paths> = paths[Path] extends { get: { parameters: { query?: infer Query } } } ? NonNullable<Query> : never;
