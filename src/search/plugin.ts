import fp from 'fastify-plugin';
import { searchRoutes } from './routes.js';

/** Search: its routes, showing each result through the articles service (app.articles), which it declares. */
export default fp(searchRoutes, { name: 'search', dependencies: ['articles'] });
