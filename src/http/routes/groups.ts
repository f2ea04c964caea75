import type { Services } from '../../services.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, noContent, tokenSecurity, type ApiApp } from './common.schema.ts';
import {
  addMemberBody,
  createGroupBody,
  groupListSchema,
  groupMemberParams,
  groupParams,
  groupSchema,
  memberListSchema,
  updateGroupBody,
} from './groups.schema.ts';

const tags = ['groups'];

/** /groups: groups across the org chart (projects, roles) and their members. */
export function registerGroupRoutes(app: ApiApp, services: Services): void {
  const groups = services.directory.groups;

  app.get(
    '/groups',
    {
      schema: {
        tags,
        summary: 'List groups with their member counts',
        security: tokenSecurity,
        response: { 200: groupListSchema, ...errorResponses },
      },
    },
    async () => ({ groups: await groups.list() }),
  );

  app.post(
    '/groups',
    {
      schema: {
        tags,
        summary: 'Create a group',
        security: tokenSecurity,
        body: createGroupBody,
        response: { 201: groupSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const group = await groups.add(request.body.name, request.body.description, actorOf(request));
      return reply.code(201).send(group);
    },
  );

  app.patch(
    '/groups/:name',
    {
      schema: {
        tags,
        summary: 'Rename a group or change its description (its rules and members follow it)',
        security: tokenSecurity,
        params: groupParams,
        body: updateGroupBody,
        response: { 200: groupSchema, ...errorResponses },
      },
    },
    async (request) => groups.update(request.params.name, request.body, actorOf(request)),
  );

  app.delete(
    '/groups/:name',
    {
      schema: {
        tags,
        summary: 'Delete a group (its members stay users)',
        security: tokenSecurity,
        params: groupParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await groups.remove(request.params.name, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.get(
    '/groups/:name/members',
    {
      schema: {
        tags,
        summary: 'The members of a group',
        security: tokenSecurity,
        params: groupParams,
        response: { 200: memberListSchema, ...errorResponses },
      },
    },
    async (request) => ({ members: await groups.members(request.params.name) }),
  );

  app.post(
    '/groups/:name/members',
    {
      schema: {
        tags,
        summary: 'Add a user to a group (adding a member twice is not an error)',
        security: tokenSecurity,
        params: groupParams,
        body: addMemberBody,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await groups.addMember(request.params.name, request.body.address, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.delete(
    '/groups/:name/members/:address',
    {
      schema: {
        tags,
        summary: 'Remove a user from a group',
        security: tokenSecurity,
        params: groupMemberParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await groups.removeMember(request.params.name, request.params.address, actorOf(request));
      return reply.code(204).send();
    },
  );
}
