import { handle } from 'hono/aws-lambda';
import { composeAppDeps } from '../compose.js';
import { loadConfig } from '../config.js';
import { createLogger, withLambdaContext } from '../logger.js';
import { createApp } from './app.js';

/** Lambda entry point of the API: the same app `npm start` serves, behind API Gateway (HTTP API). */
const config = loadConfig();
const logger = createLogger('kyso-api');
export const app = createApp(composeAppDeps(config, { logger }));
export const handler = withLambdaContext(logger, handle(app));
