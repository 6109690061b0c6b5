import { Body, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiKeyService } from './api-key.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { Roles } from '../platform/access/roles.decorator';
import { ApiController } from '../platform/http/api-controller';

@ApiController('api keys', 'api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  /** Creates a key; the answer's `secret` is shown this once and cannot be recovered. */
  @Post()
  async create(@Body() input: CreateApiKeyDto) {
    const { key, secret } = await this.apiKeys.create(input);
    return { ...key, secret };
  }

  @Get()
  async list() {
    return { items: await this.apiKeys.list() };
  }

  /** Revokes a key at once; it stays listed with its revocation time. */
  @Delete(':id')
  @HttpCode(200)
  revoke(@Param('id', ParseUUIDPipe) id: string) {
    return this.apiKeys.revoke(id);
  }
}
