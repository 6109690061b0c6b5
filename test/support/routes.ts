import { INestApplication } from '@nestjs/common';

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
