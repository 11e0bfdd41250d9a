/** Descriptors of llm.chat@1.0 / llm.complete@1.0: per-instance (with §21 of ../shared/spec/hearthnet-reference.md params) and the standard ones for `bus.learn`. */
import { LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS } from '../../../common';
import { defineCapability } from '../../bus';
import type { CapabilityDescriptor, ParamsPredicate } from '../../bus';
import type { BackendModel } from './backends/base';
import {
  LLM_CHAT_REQUEST_SCHEMA,
  LLM_COMPLETE_REQUEST_SCHEMA,
  LLM_RESPONSE_SCHEMA,
  LLM_TOKEN_FRAME_SCHEMA,
} from './schemas';

export const LLM_CAPABILITY_KINDS = ['llm.chat', 'llm.complete'] as const;
export type LlmCapabilityName = (typeof LLM_CAPABILITY_KINDS)[number];

/** The bus validates the `data` of token frames, so the stream schema is the frame's data part. */
const TOKEN_DATA_SCHEMA = LLM_TOKEN_FRAME_SCHEMA.properties.data;

/** §21 params of one (backend, model) instance. */
export interface LlmParams {
  readonly model: string;
  readonly quant: string;
  readonly ctx: number;
  readonly backend: string;
  readonly modalities: readonly string[];
  readonly requires_internet: boolean;
}

export function llmParams(backend: string, m: BackendModel): LlmParams {
  return {
    model: m.name,
    quant: m.quant,
    ctx: m.ctx_max,
    backend,
    modalities: [...m.modalities],
    requires_internet: m.requires_internet,
  };
}

/**
 * §9 §3.6: the requested model must equal the offered one; a requested `ctx` must fit.
 * Two additions a caller may use: `backend` must match when given, and `requires_internet: false`
 * excludes cloud instances (offline-only routing). Other requested keys are ignored.
 */
export const llmParamsCompatible: ParamsPredicate = (offered, requested) => {
  if (requested.model !== offered.model) return false;
  if (
    requested.ctx !== undefined &&
    !(typeof requested.ctx === 'number' && typeof offered.ctx === 'number' && requested.ctx <= offered.ctx)
  )
    return false;
  if (requested.backend !== undefined && requested.backend !== offered.backend) return false;
  if (requested.requires_internet === false && offered.requires_internet === true) return false;
  return true;
};

/** One capability instance's descriptor. `maxConcurrent` is the model's admission capacity (slots + queue). */
export function llmDescriptor(
  name: LlmCapabilityName,
  params: LlmParams | Record<string, never>,
  maxConcurrent: number,
  timeoutSeconds = LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS,
): CapabilityDescriptor {
  return defineCapability({
    name,
    version: [1, 0],
    stability: 'stable',
    request_schema: name === 'llm.chat' ? LLM_CHAT_REQUEST_SCHEMA : LLM_COMPLETE_REQUEST_SCHEMA,
    response_schema: LLM_RESPONSE_SCHEMA,
    stream_schema: TOKEN_DATA_SCHEMA,
    params: { ...params },
    max_concurrent: maxConcurrent,
    trust_required: 'member',
    timeout_seconds: timeoutSeconds,
    idempotent: false,
  });
}

/**
 * The standard contracts (no handler, empty params) every node teaches its bus with
 * `for (const { descriptor, paramsCompatible } of llmDescriptors()) bus.learn(descriptor, paramsCompatible)`,
 * so remote instances are `known` (schema hash checked) and matched with the §9 predicate.
 */
export function llmDescriptors(): Array<{ descriptor: CapabilityDescriptor; paramsCompatible: ParamsPredicate }> {
  return LLM_CAPABILITY_KINDS.map((name) => ({
    descriptor: llmDescriptor(name, {}, 1),
    paramsCompatible: llmParamsCompatible,
  }));
}
