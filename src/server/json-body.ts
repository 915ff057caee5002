// Reading a JSON request body: right media type, strict JSON (no duplicate or prototype keys),
// no fields the server sets itself (mass assignment), then the route's strict zod schema
// (unknown fields are errors, not ignored).
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from './app-env.ts';
import { ApiError } from './problem.ts';
import { requestBody } from './request-body.ts';
import { requestHeader } from './request-header.ts';
import { parseStrictJson } from './strict-json.ts';

// Stateless with fatal: true and no stream option, so one decoder serves every request.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const JSON_MEDIA_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

export async function readJsonBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S, serverSetFields: readonly string[] = []): Promise<z.infer<S>> {
  const type = requestHeader(c, 'content-type') ?? '';
  if (!JSON_MEDIA_TYPE.test(type.trim())) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `send the body as Content-Type: application/json (got ${type ? JSON.stringify(type.slice(0, 80)) : 'none'})`);
  }
  let text: string;
  try {
    text = UTF8.decode(await requestBody(c));
  } catch (error) {
    if (error instanceof TypeError) throw new ApiError('INVALID_JSON', 'the body is not valid UTF-8');
    throw error;
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok) {
    const { kind, key } = parsed.problem;
    if (kind === 'duplicate') throw new ApiError('DUPLICATE_JSON_KEY', `the key "${key}" appears more than once in one object`);
    if (kind === 'forbidden') throw new ApiError('FORBIDDEN_JSON_KEY', `the key "${key}" is not allowed`);
    throw new ApiError('INVALID_JSON', 'the body is not valid JSON (RFC 8259)');
  }
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('VALIDATION_FAILED', 'the body must be a JSON object');
  const setByServer = serverSetFields.filter((f) => Object.hasOwn(value, f));
  if (setByServer.length > 0) {
    throw new ApiError('SERVER_SET_FIELD', `the issuer sets ${setByServer.join(', ')} itself; remove ${setByServer.length === 1 ? 'it' : 'them'} from the request`, {}, { fields: setByServer });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(body)',
      message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message,
    }));
    throw new ApiError('VALIDATION_FAILED', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {}, { errors });
  }
  return result.data;
}
