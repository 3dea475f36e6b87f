/**
 * Stored responses, as the OpenAI API serves them:
 * GET /v1/responses/{id}, DELETE /v1/responses/{id} and
 * GET /v1/responses/{id}/input_items (the items the response was generated
 * from: every earlier turn of its conversation, then its own input).
 */
import type { Context } from 'hono';
import { invalidRequest, notFound, type RelayError } from '../../errors.js';
import { type ItemListQuery, pageOfItems } from '../../store/item-list.js';
import { storeFailure } from '../../store/response-history.js';
import { isResponseId } from '../../store/stored-items.js';
import type { InputItem } from '../../translate/request/responses-schema.js';
import type { AppDependencies } from '../dependencies.js';

/** GET /v1/responses/{id}: the stored Response object. */
export async function handleGetResponse(context: Context, deps: AppDependencies): Promise<Response> {
  const id = responseIdParam(context);
  if (context.req.query('stream') === 'true') {
    throw invalidRequest(
      'Only background responses can be streamed again, and this relay does not run background responses.',
      'stream',
      'unsupported_value',
    );
  }
  await deps.history.settled(id);
  const turn = await readStore(deps, () => deps.history.store.get(id));
  if (!turn) throw responseNotFound(id);
  return context.json({ ...turn.response, output: turn.output });
}

/** DELETE /v1/responses/{id}. */
export async function handleDeleteResponse(context: Context, deps: AppDependencies): Promise<Response> {
  const id = responseIdParam(context);
  await deps.history.settled(id);
  const deleted = await readStore(deps, () => deps.history.store.delete(id));
  if (!deleted) throw responseNotFound(id);
  return context.json({ id, object: 'response', deleted: true });
}

/** GET /v1/responses/{id}/input_items. */
export async function handleListInputItems(context: Context, deps: AppDependencies): Promise<Response> {
  const id = responseIdParam(context);
  const query = listQuery(context);
  await deps.history.settled(id);
  const lookup = await readStore(deps, () => deps.history.store.chain(id));
  if (lookup.status === 'missing') throw responseNotFound(id);
  // A conversation whose earlier turns are gone still lists what is left.
  const items: InputItem[] = [];
  lookup.turns.forEach((turn, index) => {
    items.push(...turn.input);
    if (index < lookup.turns.length - 1) items.push(...turn.output);
  });
  const page = pageOfItems(items, query);
  if (!page)
    throw invalidRequest(
      `Invalid 'after': no input item of response '${id}' has the id '${query.after}'.`,
      'after',
      'invalid_value',
    );
  return context.json(page);
}

function responseIdParam(context: Context): string {
  const id = context.req.param('id') ?? '';
  if (!isResponseId(id)) {
    throw invalidRequest(
      `Invalid 'response_id': '${id.slice(0, 100)}'. Expected an ID that begins with 'resp_'.`,
      'response_id',
      'invalid_value',
    );
  }
  return id;
}

function listQuery(context: Context): ItemListQuery {
  const limitText = context.req.query('limit');
  let limit = 20;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) {
      throw invalidRequest(
        `Invalid 'limit': expected an integer from 1 to 100, got '${limitText.slice(0, 50)}'.`,
        'limit',
        'invalid_value',
      );
    }
  }
  const order = context.req.query('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw invalidRequest(
      `Invalid 'order': expected 'asc' or 'desc', got '${order.slice(0, 50)}'.`,
      'order',
      'invalid_value',
    );
  }
  const after = context.req.query('after');
  return { limit, order, after: after === '' ? undefined : after };
}

function responseNotFound(id: string): RelayError {
  return notFound(`Response with id '${id}' not found.`);
}

/** Store failures become a clear 503 (unreachable) or 500 instead of the generic internal error. */
async function readStore<Result>(deps: AppDependencies, operation: () => Promise<Result>): Promise<Result> {
  try {
    return await operation();
  } catch (error) {
    deps.logger.error({ err: error, store: deps.history.store.kind }, 'session store operation failed');
    throw storeFailure(error, 'The session store could not be read or written.');
  }
}
