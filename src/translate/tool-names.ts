/**
 * Chat Completions knows only flat function names (^[a-zA-Z0-9_-]{1,64}$);
 * the Responses API has namespaces, custom tools and tool_search. This maps a
 * Responses tool to the flat name the upstream sees and back again, the same
 * way in every request, so history and new calls agree without any state.
 */
import { createHash } from 'node:crypto';

export type ToolKind = 'function' | 'custom' | 'tool_search';

/** What a flat upstream function name stands for on the Responses side. */
export interface ToolTarget {
  kind: ToolKind;
  name: string;
  namespace?: string;
  /**
   * The tool marks parameters `encrypted` (Codex multi-agent v2 messages): its
   * calls must say their arguments are plain text, or Codex hands them on as
   * encrypted content no Chat model can read.
   */
  plaintextArguments?: boolean;
}

/**
 * Codex reserves the namespace `functions` for its ordinary top-level tools: a
 * call to one is routed by its bare name, so the namespace is dropped both ways.
 */
const TOP_LEVEL_NAMESPACE = 'functions';

const MAX_NAME_LENGTH = 64;
const VALID_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The deterministic flat name for a (namespace, name) pair. */
export function flattenToolName(namespace: string | undefined, name: string): string {
  const joined = namespace ? (namespace.endsWith('__') ? namespace + name : `${namespace}__${name}`) : name;
  if (VALID_NAME.test(joined)) return joined;
  const sanitized = joined.replace(/[^A-Za-z0-9_-]/g, '_');
  const hash = createHash('sha256')
    .update(`${namespace ?? ''}\u0000${name}`)
    .digest('hex')
    .slice(0, 8);
  const room = MAX_NAME_LENGTH - hash.length - 1;
  return `${sanitized.slice(0, room)}_${hash}`;
}

/** Name mapping for one request: flat upstream names ⇄ Responses tool targets. */
export class ToolNameMap {
  private readonly byUpstreamName = new Map<string, ToolTarget>();
  private readonly byTargetKey = new Map<string, string>();

  /** Registers a tool and returns the flat name the upstream will see. */
  register(target: ToolTarget): string {
    target = withoutTopLevelNamespace(target);
    const key = targetKey(target);
    const existing = this.byTargetKey.get(key);
    if (existing !== undefined) return existing;
    let upstreamName = flattenToolName(target.namespace, target.name);
    // A plain tool called `a__b` and tool `b` in namespace `a` would collide; the
    // later one gets a hashed name, which is still the same for the same tool set.
    if (this.byUpstreamName.has(upstreamName)) {
      upstreamName = flattenToolName(`${target.kind}:${target.namespace ?? ''}`, `${target.name}:collision`);
    }
    this.byUpstreamName.set(upstreamName, target);
    this.byTargetKey.set(key, upstreamName);
    return upstreamName;
  }

  /** The flat name for a call found in history (registered or not). */
  upstreamNameFor(target: ToolTarget): string {
    target = withoutTopLevelNamespace(target);
    return this.byTargetKey.get(targetKey(target)) ?? flattenToolName(target.namespace, target.name);
  }

  /** What a name the model called stands for; unknown names are plain functions. */
  resolve(upstreamName: string): ToolTarget {
    return this.byUpstreamName.get(upstreamName) ?? { kind: 'function', name: upstreamName };
  }

  has(upstreamName: string): boolean {
    return this.byUpstreamName.has(upstreamName);
  }

  get size(): number {
    return this.byUpstreamName.size;
  }

  /**
   * Whether history translates with this map as with `earlier`: every tool
   * `earlier` names keeps its name, and a tool only this map knows (found by
   * a tool_search since) has the name `earlier` gave it too, the plain
   * flattened one.
   */
  namesLike(earlier: ToolNameMap): boolean {
    for (const [key, name] of earlier.byTargetKey) if (this.byTargetKey.get(key) !== name) return false;
    if (this.byTargetKey.size === earlier.byTargetKey.size) return true;
    for (const [key, name] of this.byTargetKey) {
      if (earlier.byTargetKey.has(key)) continue;
      const target = this.byUpstreamName.get(name)!;
      if (name !== flattenToolName(target.namespace, target.name)) return false;
    }
    return true;
  }
}

function withoutTopLevelNamespace(target: ToolTarget): ToolTarget {
  if (target.namespace !== TOP_LEVEL_NAMESPACE) return target;
  const { namespace: _dropped, ...bare } = target;
  return bare;
}

function targetKey(target: ToolTarget): string {
  // Custom and function tools share one name space on the Chat side.
  const kind = target.kind === 'tool_search' ? 'tool_search' : 'callable';
  return `${kind}\u0000${target.namespace ?? ''}\u0000${target.name}`;
}
