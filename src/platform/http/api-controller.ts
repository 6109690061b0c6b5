import { applyDecorators, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

/**
 * A controller of the key-protected REST API: its routes under /api/v1/<path>, listed under `tag`
 * in the OpenAPI document as taking the API key as a bearer token. Which roles may call a route
 * stays with the route (@Roles).
 */
export function ApiController(tag: string, path?: string): ClassDecorator {
  return applyDecorators(ApiTags(tag), ApiBearerAuth(), Controller(path ? `api/v1/${path}` : 'api/v1'));
}
