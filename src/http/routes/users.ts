import type { UserFields } from '../../directory/user-fields.ts';
import { parseValidityDate } from '../../directory/user-fields.ts';
import type { Services } from '../../services.ts';
import { actorOf } from '../auth.ts';
import { addressParams, errorResponses, noContent, tokenSecurity, type ApiApp } from './common.schema.ts';
import {
  createUserBody,
  listUsersQuery,
  setPasswordBody,
  toApiUser,
  updateUserBody,
  userListSchema,
  userSchema,
} from './users.schema.ts';

const tags = ['users'];

/** /users: the accounts, through the same UserService as the CLI. */
export function registerUserRoutes(app: ApiApp, services: Services): void {
  const users = services.directory.users;

  app.get(
    '/users',
    {
      schema: {
        tags,
        summary: 'List users, optionally filtered by text and org unit',
        security: tokenSecurity,
        querystring: listUsersQuery,
        response: { 200: userListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { search, unit, recursive, limit, offset } = request.query;
      const found = await users.list({ text: search, unit, recursive, limit, offset });
      return { users: found.map(toApiUser), limit, offset };
    },
  );

  app.get(
    '/users/:address',
    {
      schema: {
        tags,
        summary: 'One user',
        security: tokenSecurity,
        params: addressParams,
        response: { 200: userSchema, ...errorResponses },
      },
    },
    async (request) => toApiUser(await users.get(request.params.address)),
  );

  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create a user, with a password or without one',
        security: tokenSecurity,
        body: createUserBody,
        response: { 201: userSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { address, password, ...fields } = request.body;
      const user = await users.create(
        address,
        { ...userFields(fields), displayName: fields.displayName },
        actorOf(request),
        password === undefined ? {} : { password },
      );
      return reply
        .code(201)
        .header('location', `${request.url.split('?')[0] ?? ''}/${encodeURIComponent(user.address)}`)
        .send(toApiUser(user));
    },
  );

  app.patch(
    '/users/:address',
    {
      schema: {
        tags,
        summary: 'Change some fields of a user',
        security: tokenSecurity,
        params: addressParams,
        body: updateUserBody,
        response: { 200: userSchema, ...errorResponses },
      },
    },
    async (request) =>
      toApiUser(await users.update(request.params.address, userFields(request.body), actorOf(request))),
  );

  app.post(
    '/users/:address/password',
    {
      schema: {
        tags,
        summary: 'Set a new password',
        security: tokenSecurity,
        params: addressParams,
        body: setPasswordBody,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await users.setPassword(request.params.address, request.body.password, actorOf(request));
      return reply.code(204).send();
    },
  );

  for (const action of ['disable', 'enable'] as const) {
    app.post(
      `/users/:address/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'disable' ? 'Disable a user: no login through any protocol' : 'Enable a disabled user',
          security: tokenSecurity,
          params: addressParams,
          response: { 200: userSchema, ...errorResponses },
        },
      },
      async (request) =>
        toApiUser(await users.setDisabled(request.params.address, action === 'disable', actorOf(request))),
    );
  }
}

type EditableBody = Omit<UserFields, 'validFrom' | 'validUntil'> & {
  validFrom?: string | null;
  validUntil?: string | null;
};

/** The body's fields as the service takes them: validity dates become instants. */
function userFields(body: EditableBody): UserFields {
  const { validFrom, validUntil, ...rest } = body;
  return {
    ...rest,
    validFrom: validFrom == null ? validFrom : parseValidityDate('validFrom', validFrom, 'start'),
    validUntil: validUntil == null ? validUntil : parseValidityDate('validUntil', validUntil, 'end'),
  };
}
