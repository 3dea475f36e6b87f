/** Reads a request body as JSON; anything else is a clear 400. */
import type { Context } from 'hono';
import { invalidRequest } from '../errors.js';

export async function readJsonBody(context: Context): Promise<unknown> {
  const text = await context.req.text();
  if (text.trim() === '') throw invalidRequest('The request body is empty; expected a JSON object.');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidRequest(
      `We could not parse the JSON body of your request: ${(error as Error).message}`,
      null,
      'invalid_json',
    );
  }
}
