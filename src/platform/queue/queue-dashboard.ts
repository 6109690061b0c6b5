import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { NextFunction, Request, Response, Router } from 'express';
import { QueueName } from './job-catalogue';
import { QueueService } from './queue.service';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue of the catalogue, for admins. Browsers cannot send a bearer token
 * by themselves, so the page also takes the API key as the password of HTTP Basic auth (any user
 * name): the browser asks for it.
 */
export function queueDashboard(queues: QueueService, isAdminKey: (key: string) => Promise<boolean>): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: Object.values(QueueName).map((name) => new BullMQAdapter(queues.queue(name))), serverAdapter: adapter });
  const router = Router();
  router.use(async (request: Request, response: Response, next: NextFunction) => {
    const key = keyOf(request.headers.authorization);
    if (key && (await isAdminKey(key).catch(() => false))) return next();
    response.setHeader('WWW-Authenticate', 'Basic realm="Klimaklok queues (password: an admin API key)"');
    response.status(401).json({ statusCode: 401, message: 'An admin API key is required' });
  });
  router.use(adapter.getRouter());
  return router;
}

function keyOf(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) || null;
}
