import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './platform/config/app-config';
import { SchemaBehindError } from './platform/database/schema-check';
import { limitHeapGrowthForOcpp } from './ocpp/ocpp-heap-growth';
import { humanLogDestination } from './platform/logging/human-log-line';
import { PinoLoggerService } from './platform/logging/pino-logger.service';
import { ServiceUnreachableError, preflight } from './platform/startup/preflight';

/** Start-up problems an operator can fix get one line on stderr and exit code 1, not a stack trace. */
function fail(message: string): never {
  process.stderr.write(`klimaklok: ${message}\n`);
  process.exit(1);
}

async function bootstrap() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`invalid configuration: ${error.message}`);
    throw error;
  }
  limitHeapGrowthForOcpp(config.roles);
  // A person at a terminal reads one line per entry; anything else (files, log collectors) gets pino's JSON lines.
  const logger = new PinoLoggerService(config.logLevel, process.stdout.isTTY ? humanLogDestination(process.stdout) : undefined);
  try {
    await preflight(config);
    const app = await createApp(config, logger);
    stopOnSignals(async () => {
      logger.log('Shutting down');
      await app.close();
    });
    if (config.roles.has('api')) {
      await app.listen(config.port);
      logger.log({ port: config.port, roles: [...config.roles] }, 'Klimaklok listening');
    } else {
      await app.init();
      logger.log({ roles: [...config.roles] }, 'Klimaklok started without HTTP');
    }
  } catch (error) {
    if (error instanceof ServiceUnreachableError || error instanceof SchemaBehindError) fail(error.message);
    logger.fatal(error as Error, 'Start-up failed');
    process.exit(1);
  }
}

/** SIGTERM / SIGINT close the application (shutdown hooks run, work in hand finishes) and exit 0. */
function stopOnSignals(close: () => Promise<void>) {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => {
      process.stderr.write(`klimaklok: still not stopped 20 s after ${signal}, exiting\n`);
      process.exit(1);
    }, 20_000);
    forced.unref();
    close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`klimaklok: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void bootstrap();
