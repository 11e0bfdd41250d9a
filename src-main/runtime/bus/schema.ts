/** M03 §3.4 of ../shared/spec/hearthnet-reference.md: JSON Schema validation of requests, responses and stream frames (ajv, compiled once per schema hash). */
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FrameData } from '../transport/contract';
import { capabilityLabel, schemaHash } from './capability';
import type { CapabilityDescriptor, JsonSchema } from './capability';
import { BusError } from './errors';

/** Frames whose `data` is payload and is checked against `stream_schema`; the rest are control frames. */
export const PAYLOAD_FRAME_EVENTS: ReadonlySet<string> = new Set(['token', 'chunk', 'tool_call_delta']);

interface Compiled {
  readonly request: ValidateFunction;
  readonly response: ValidateFunction | null;
  readonly stream: ValidateFunction | null;
}

type Part = 'request' | 'response' | 'stream frame';

function describe(err: ErrorObject | undefined): string {
  if (!err) return 'is invalid';
  const path = err.instancePath || '(root)';
  return `${path} ${err.message ?? 'is invalid'}`;
}

/** Compiles each descriptor's schemas once and validates bodies against them. */
export class SchemaValidator {
  // strict: false so harmless annotations (format, examples) in service schemas do not break
  // registration; validateSchema still rejects structurally invalid schemas.
  readonly #ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false });
  readonly #byHash = new Map<string, Compiled>();
  readonly #byDescriptor = new WeakMap<CapabilityDescriptor, Compiled>();

  /** Compile (or fetch) a descriptor's validators; a bad schema throws BusError('schema_invalid'). */
  compile(d: CapabilityDescriptor): Compiled {
    const cached = this.#byDescriptor.get(d);
    if (cached) return cached;
    const hash = schemaHash(d);
    let compiled = this.#byHash.get(hash);
    if (!compiled) {
      compiled = {
        request: this.#compileOne(d, 'request_schema', d.request_schema),
        response: d.response_schema ? this.#compileOne(d, 'response_schema', d.response_schema) : null,
        stream: d.stream_schema ? this.#compileOne(d, 'stream_schema', d.stream_schema) : null,
      };
      this.#byHash.set(hash, compiled);
    }
    this.#byDescriptor.set(d, compiled);
    return compiled;
  }

  validateRequest(d: CapabilityDescriptor, body: unknown): void {
    this.#check(d, 'request', this.compile(d).request, body);
  }

  validateResponse(d: CapabilityDescriptor, body: unknown): void {
    const v = this.compile(d).response;
    if (v) this.#check(d, 'response', v, body);
  }

  /** Checks the `data` of payload frames (token/chunk/tool_call_delta); control frames pass. */
  validateStreamFrame(d: CapabilityDescriptor, frame: FrameData): void {
    const v = this.compile(d).stream;
    if (v && PAYLOAD_FRAME_EVENTS.has(frame.event)) this.#check(d, 'stream frame', v, frame.data);
  }

  /** How many distinct schema sets are compiled (for tests and stats). */
  get compiledCount(): number {
    return this.#byHash.size;
  }

  #compileOne(d: CapabilityDescriptor, field: string, schema: JsonSchema): ValidateFunction {
    try {
      return this.#ajv.compile(schema);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new BusError(
        'schema_invalid',
        `${capabilityLabel(d.name, d.version)}: ${field} is not a valid JSON Schema (${why})`,
        { cause },
      );
    }
  }

  #check(d: CapabilityDescriptor, part: Part, v: ValidateFunction, value: unknown): void {
    if (v(value)) return;
    const first = v.errors?.[0];
    throw new BusError('schema_mismatch', `${capabilityLabel(d.name, d.version)} ${part}: ${describe(first)}`, {
      details: { path: first?.instancePath ?? '', keyword: first?.keyword ?? '' },
    });
  }
}
