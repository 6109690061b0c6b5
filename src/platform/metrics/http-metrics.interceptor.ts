import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, finalize } from 'rxjs';
import { MetricsService } from './metrics.service';

/** Times every request, labelled by route pattern (not the raw URL, which would explode label cardinality). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest();
    const response = context.switchToHttp().getResponse();
    const stop = this.metrics.httpRequests.startTimer();
    return next.handle().pipe(finalize(() => stop({ method: request.method, route: request.route?.path ?? 'unmatched', status: String(response.statusCode) })));
  }
}
