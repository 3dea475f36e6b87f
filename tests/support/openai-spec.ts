/**
 * Validates Responses stream events and Response objects against the official
 * OpenAI OpenAPI 3.1 spec read from `../shared/openai-openapi/openapi.json`
 * (never copied into the repository). Each event is checked against the
 * component its `type` names in `ResponseStreamEvent`; `$ref`s resolve into
 * the spec's own components, so the schemas are exactly OpenAI's.
 *
 * The one deliberate deviation is listed in SPEC_DEVIATIONS and documented in
 * docs/testing.md; nothing else is relaxed.
 */
import { readFileSync } from 'node:fs';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { missingSharedMessage, sharedPath } from './shared-material.js';

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

export const OPENAI_SPEC_PATH = sharedPath('openai-openapi', 'openapi.json');

/**
 * Codex acts on these `response.failed` error codes (stop on a full context
 * or an empty balance, wait on a rate limit), so the relay must send them even though the spec's `ResponseErrorCode`
 * enum may not list them. Only the ones the spec lacks are added, and only to
 * that enum.
 */
export const CODEX_FAILURE_CODES = ['context_length_exceeded', 'insufficient_quota', 'rate_limit_exceeded'] as const;

export interface SpecDeviation {
  component: string;
  added: string[];
  reason: string;
}

/** Where the spec's schemas live for `$ref` resolution (an id, never fetched). */
const SPEC_ID = 'https://spec.invalid/openai-openapi.json';
/** OpenAPI annotation keywords that carry no validation meaning. */
const ANNOTATION_KEYWORDS = ['discriminator', 'example'];

type JsonObject = Record<string, unknown>;

/** The spec's Responses schemas, compiled on first use. */
export class ResponsesSchemas {
  readonly deviations: SpecDeviation[];
  private readonly ajv: InstanceType<typeof Ajv2020>;
  private readonly componentByEventType: Map<string, string>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(spec: { components: { schemas: Record<string, JsonObject> } }) {
    const schemas = spec.components.schemas;
    this.deviations = allowCodexFailureCodes(schemas);
    this.componentByEventType = eventComponents(schemas);
    this.ajv = new Ajv2020({
      allErrors: true,
      // Unknown keywords and formats are errors, so nothing is ignored by accident.
      strictSchema: true,
      strictNumbers: true,
      // The spec repeats `required` across allOf parts and mixes types in anyOf; both are fine.
      strictRequired: false,
      strictTypes: false,
      strictTuples: false,
    });
    addFormats(this.ajv);
    // `created_at`/`completed_at`: Unix seconds.
    this.ajv.addFormat('unixtime', {
      type: 'number',
      validate: (value: number) => Number.isInteger(value) && value >= 0,
    });
    for (const keyword of [...ANNOTATION_KEYWORDS, ...vendorKeywords(schemas), 'components'])
      this.ajv.addKeyword(keyword);
    this.ajv.addSchema({ $id: SPEC_ID, components: spec.components });
  }

  /** The stream event types the spec defines. */
  get eventTypes(): string[] {
    return [...this.componentByEventType.keys()];
  }

  /** Problems with one stream event; empty when it matches its schema. */
  validateEvent(event: unknown): string[] {
    const type = (event as { type?: unknown } | null)?.type;
    if (typeof type !== 'string') return ['has no string `type`'];
    const component = this.componentByEventType.get(type);
    if (component === undefined) return [`\`${type}\` is not a Responses stream event type in the spec`];
    return this.validate(component, event);
  }

  /** Problems with a whole Response object (`stream: false`). */
  validateResponse(response: unknown): string[] {
    return this.validate('Response', response);
  }

  private validate(component: string, value: unknown): string[] {
    let validator = this.validators.get(component);
    if (!validator) {
      validator = this.ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${component}` });
      this.validators.set(component, validator);
    }
    if (validator(value)) return [];
    return describeErrors(validator.errors ?? [], value, component);
  }
}

let loaded: ResponsesSchemas | undefined;

/** The compiled spec, or undefined when `../shared` is absent (see specMissingMessage). */
export function loadResponsesSchemas(): ResponsesSchemas | undefined {
  if (loaded) return loaded;
  if (specMissingMessage() !== undefined) return undefined;
  loaded = new ResponsesSchemas(JSON.parse(readFileSync(OPENAI_SPEC_PATH, 'utf8')));
  return loaded;
}

/** Why schema validation cannot run here, naming the missing path; undefined when it can. */
export function specMissingMessage(): string | undefined {
  return missingSharedMessage(OPENAI_SPEC_PATH);
}

/** Adds the Codex failure codes the spec's enum lacks (in memory only). */
function allowCodexFailureCodes(schemas: Record<string, JsonObject>): SpecDeviation[] {
  const errorCode = schemas.ResponseErrorCode as { enum?: unknown[] } | undefined;
  if (!errorCode || !Array.isArray(errorCode.enum))
    throw new Error('The spec has no ResponseErrorCode enum; the deviation list needs review.');
  const added = CODEX_FAILURE_CODES.filter((code) => !errorCode.enum!.includes(code));
  if (added.length === 0) return [];
  errorCode.enum = [...errorCode.enum, ...added];
  return [{ component: 'ResponseErrorCode', added, reason: 'Codex acts on these response.failed codes (stop, wait).' }];
}

/** Event `type` → component name, from the `ResponseStreamEvent` union. */
function eventComponents(schemas: Record<string, JsonObject>): Map<string, string> {
  const union = (schemas.ResponseStreamEvent?.anyOf ?? schemas.ResponseStreamEvent?.oneOf) as
    | Array<{ $ref?: string }>
    | undefined;
  if (!Array.isArray(union)) throw new Error('The spec has no ResponseStreamEvent union.');
  const map = new Map<string, string>();
  for (const member of union) {
    const name = member.$ref?.split('/').pop();
    if (!name) continue;
    const typeSchema = (schemas[name]?.properties as { type?: { enum?: unknown[]; const?: unknown } } | undefined)
      ?.type;
    const values = typeSchema?.enum ?? (typeSchema?.const !== undefined ? [typeSchema.const] : []);
    for (const value of values) if (typeof value === 'string') map.set(value, name);
  }
  return map;
}

/** The spec's vendor extension keywords (`x-…`), registered as annotations. */
function vendorKeywords(schemas: Record<string, JsonObject>): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const entry of value) visit(entry);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, entry] of Object.entries(value)) {
        if (key.startsWith('x-')) found.add(key);
        else visit(entry);
      }
    }
  };
  visit(schemas);
  return [...found];
}

/**
 * Readable messages. A failed `oneOf`/`anyOf` reports every branch; the
 * branches whose `type` tag does not match (or that only wanted null) are
 * noise, so they are dropped when real errors remain.
 */
function describeErrors(errors: ErrorObject[], value: unknown, component: string): string[] {
  const isBranchMismatch = (error: ErrorObject) =>
    ((error.keyword === 'enum' || error.keyword === 'const') && error.instancePath.endsWith('/type')) ||
    error.keyword === 'oneOf' ||
    error.keyword === 'anyOf' ||
    (error.keyword === 'type' && (error.params as { type?: unknown }).type === 'null');
  const relevant = errors.filter((error) => !isBranchMismatch(error));
  const shown = relevant.length > 0 ? relevant : errors;
  const lines = new Set<string>();
  for (const error of shown) {
    const at = error.instancePath === '' ? '(root)' : error.instancePath;
    const actual =
      error.keyword === 'enum' || error.keyword === 'const'
        ? ` (got ${JSON.stringify(pointer(value, error.instancePath))})`
        : '';
    const extra =
      error.keyword === 'additionalProperties'
        ? ` \`${(error.params as { additionalProperty: string }).additionalProperty}\``
        : '';
    lines.add(`${component} ${at} ${error.message ?? error.keyword}${extra}${actual}`);
  }
  return [...lines].slice(0, 12);
}

function pointer(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as JsonObject)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return current;
}
