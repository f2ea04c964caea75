import {
  NoResultError,
  type Compilable,
  type CompiledQuery,
  type DialectAdapter,
  type QueryNode,
  type QueryResult,
} from 'kysely';
import type { Executor } from './database.ts';

/**
 * A query built by Kysely once per database and then only run: the SQL text
 * is kept, and each run puts its own values in the places the build marked.
 * Building and compiling a query costs more than SQLite takes to run it, and
 * delivery runs the same dozen queries for every message.
 *
 *   const byAddress = prepareQuery((db, p: { address: string }) =>
 *     db.selectFrom('users').selectAll().where('address', '=', p.address));
 *   const user = await byAddress.takeFirst(db, { address });
 *
 * The build sees stand-ins for the parameters and may use them only as bound
 * values (in where, set, values, sql`…${value}`); anything that decides the
 * query's shape (an IN list, a branch on a value) cannot be prepared. A
 * stand-in that does not end up bound, or is read as a value in the build
 * itself, is refused when the query is first built.
 */

/** What the build gets in place of a parameter; found again among the compiled query's values. */
class Placeholder {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  // A stand-in used as a value in the build's own code (a comparison, a template) is a misuse.
  [Symbol.toPrimitive](): never {
    throw new PreparedQueryError(`parameter "${this.name}" was read as a value while building the query`);
  }
}

export class PreparedQueryError extends Error {
  readonly code = 'PREPARED_QUERY_MISUSE';
}

interface Template {
  compiled: CompiledQuery;
  /** Per compiled value: the parameter to put there, or undefined for a constant of the build. */
  slots: ReadonlyArray<string | undefined>;
}

export class PreparedQuery<P extends object, R> {
  readonly #build: (db: Executor, params: P) => Compilable<R>;
  /** One template per database: PostgreSQL and SQLite write different SQL. */
  readonly #templates = new WeakMap<DialectAdapter, Template>();

  constructor(build: (db: Executor, params: P) => Compilable<R>) {
    this.#build = build;
  }

  /** Runs the query with these values; the result as Kysely's executeQuery gives it. */
  async run(db: Executor, params: P): Promise<QueryResult<R>> {
    const template = this.#templateFor(db);
    const { compiled, slots } = template;
    const parameters = compiled.parameters.map((constant, i) => {
      const name = slots[i];
      return name === undefined ? constant : (params as Record<string, unknown>)[name];
    });
    return db.executeQuery<R>({ ...compiled, parameters });
  }

  async rows(db: Executor, params: P): Promise<R[]> {
    return (await this.run(db, params)).rows;
  }

  async takeFirst(db: Executor, params: P): Promise<R | undefined> {
    return (await this.run(db, params)).rows[0];
  }

  /** The first row; Kysely's NoResultError when there is none, as executeTakeFirstOrThrow. */
  async takeFirstOrThrow(db: Executor, params: P): Promise<R> {
    const row = (await this.run(db, params)).rows[0];
    if (row === undefined) throw new NoResultError(this.#templateFor(db).compiled.query as QueryNode);
    return row;
  }

  /** Rows an INSERT, UPDATE or DELETE without RETURNING changed. */
  async affected(db: Executor, params: P): Promise<number> {
    return Number((await this.run(db, params)).numAffectedRows ?? 0);
  }

  #templateFor(db: Executor): Template {
    // getExecutor() is marked internal in Kysely; its adapter is shared by a database and its transactions.
    const adapter = db.getExecutor().adapter;
    let template = this.#templates.get(adapter);
    if (!template) {
      template = this.#compile(db);
      this.#templates.set(adapter, template);
    }
    return template;
  }

  #compile(db: Executor): Template {
    const read = new Set<string>();
    const params = new Proxy(
      {},
      {
        get: (_target, name) => {
          if (typeof name !== 'string') return undefined;
          read.add(name);
          return new Placeholder(name);
        },
        // A spread ({ ...params }) would see no names and bind nothing: name each value.
        ownKeys: () => {
          throw new PreparedQueryError('the parameters cannot be spread or listed while building the query');
        },
      },
    ) as P;
    const compiled = this.#build(db, params).compile();
    const slots = compiled.parameters.map((value) => (value instanceof Placeholder ? value.name : undefined));
    for (const name of read) {
      if (!slots.includes(name)) {
        throw new PreparedQueryError(
          `parameter "${name}" is not a bound value of the query: it cannot be prepared`,
        );
      }
    }
    return { compiled, slots };
  }
}

/** A query compiled once per database; see PreparedQuery. */
export function prepareQuery<P extends object, R>(
  build: (db: Executor, params: P) => Compilable<R>,
): PreparedQuery<P, R> {
  return new PreparedQuery(build);
}
