import { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { PUBLIC_KEY, ROLES_KEY } from '../../src/platform/access/roles.decorator';

export interface Route {
  method: string;
  path: string;
}

/** The application's real route table, read from Express's router after Nest registered every controller. */
export function routeTable(app: INestApplication): Route[] {
  const express = app.getHttpAdapter().getInstance();
  const stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> = (express.router ?? express._router).stack;
  return stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods)
        .filter((method) => method !== '_all')
        .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })),
    );
}

/** A concrete URL for a route pattern: every `:param` becomes a well-formed uuid. */
export function concretePath(path: string): string {
  return path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
}

export interface DeclaredRoute extends Route {
  /** The roles of its @Roles, 'public' for @Public, null when it declares nothing. */
  access: string[] | 'public' | null;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

/**
 * Every route of every controller with the access it declares, read from the decorators' metadata
 * (the same metadata the guard reads), with its path as Express registered it.
 */
export function declaredRoutes(app: INestApplication): DeclaredRoute[] {
  const modules = app.get(ModulesContainer);
  const routes: DeclaredRoute[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype: Record<string, unknown> } | undefined;
      if (!controller) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat()[0] as string;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler);
        if (method === undefined) continue;
        const sub = [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat()[0] as string;
        const path = `/${[base, sub]
          .map((part) => part.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const roles = Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, controller);
        const isPublic = Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller);
        routes.push({ method: METHODS[method], path, access: isPublic ? 'public' : (roles ?? null) });
      }
    }
  }
  return routes;
}
