import type { Services } from '../../services.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, noContent, tokenSecurity, type ApiApp } from './common.schema.ts';
import {
  createUnitBody,
  moveUnitBody,
  orgTreeSchema,
  renameUnitBody,
  toApiOrgUnit,
  unitPathResult,
  unitWildcardParams,
} from './org.schema.ts';

const tags = ['org'];

/** /org: the org chart, departments inside departments. */
export function registerOrgRoutes(app: ApiApp, services: Services): void {
  const org = services.directory.org;

  app.get(
    '/org',
    {
      schema: {
        tags,
        summary: 'The whole org chart as a tree',
        security: tokenSecurity,
        response: { 200: orgTreeSchema, ...errorResponses },
      },
    },
    async () => ({ units: (await org.list()).map(toApiOrgUnit) }),
  );

  app.post(
    '/org/units',
    {
      schema: {
        tags,
        summary: 'Create an org unit',
        security: tokenSecurity,
        body: createUnitBody,
        response: { 201: unitPathResult, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await org.add(request.body.path, actorOf(request), {
        createParents: request.body.parents,
      });
      return reply.code(201).send({ path: created.path });
    },
  );

  app.post(
    '/org/units/rename',
    {
      schema: {
        tags,
        summary: 'Rename an org unit (its sub-units and members follow)',
        security: tokenSecurity,
        body: renameUnitBody,
        response: { 200: unitPathResult, ...errorResponses },
      },
    },
    async (request) => ({ path: await org.rename(request.body.path, request.body.name, actorOf(request)) }),
  );

  app.post(
    '/org/units/move',
    {
      schema: {
        tags,
        summary: 'Move an org unit, with everything below it, under another parent',
        security: tokenSecurity,
        body: moveUnitBody,
        response: { 200: unitPathResult, ...errorResponses },
      },
    },
    async (request) => {
      const { path, parent, position } = request.body;
      return { path: await org.move(path, parent, actorOf(request), position) };
    },
  );

  app.delete(
    '/org/units/*',
    {
      schema: {
        tags,
        summary: 'Remove an empty org unit; the path follows /org/units/, e.g. /org/units/Sales/Tokyo',
        security: tokenSecurity,
        params: unitWildcardParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await org.remove(request.params['*'], actorOf(request));
      return reply.code(204).send();
    },
  );
}
