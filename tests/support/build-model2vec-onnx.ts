/** Test helper: writes a REAL .onnx graph equivalent to a Model2Vec model (Gather/Mul/masked mean) with onnx-proto. */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as onnxProto from 'onnx-proto';
import { loadSafetensors } from '../../src-main/runtime/services/embedding/safetensors';

// onnx-proto is CommonJS ({ onnx }); ESM interop exposes it as a named or a default export.
const onnx =
  (onnxProto as unknown as { onnx?: typeof onnxProto.onnx }).onnx ??
  (onnxProto as unknown as { default: { onnx: typeof onnxProto.onnx } }).default.onnx;

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const ATTR_INT = 2;

function tensor(name: string, dataType: number, dims: number[], raw: ArrayBufferView): onnxProto.onnx.ITensorProto {
  return { name, dataType, dims, rawData: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
}

function node(
  opType: string,
  input: string[],
  output: string[],
  attribute: onnxProto.onnx.IAttributeProto[] = [],
): onnxProto.onnx.INodeProto {
  return { opType, input, output, name: output[0], attribute };
}

function io(name: string, elemType: number, dims: string[]): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimParam: d })) } } } };
}

/**
 * Builds the ONNX bytes. Inputs: input_ids, attention_mask (int64 [batch, seq]).
 * Output: sentence_embedding float [batch, dim] = sum_t(E[mapping[id_t]] * w[id_t] * mask_t) / max(1, sum_t mask_t).
 * Not normalised: the backend's `normalize` does that, as for a real encoder.
 */
export function buildModel2VecOnnx(modelDir: string): Uint8Array {
  const t = loadSafetensors(join(modelDir, 'model.safetensors'));
  const emb = t.get('embeddings')!;
  const [rows, dim] = emb.shape;
  const mapping = (t.get('mapping')?.data as Int32Array | undefined) ?? Int32Array.from({ length: rows }, (_, i) => i);
  const weights = t.get('weights')
    ? Float32Array.from(t.get('weights')!.data)
    : new Float32Array(mapping.length).fill(1);
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'model2vec',
    initializer: [
      tensor('mapping', INT32, [mapping.length], mapping),
      tensor('embeddings', FLOAT, [rows, dim], Float32Array.from(emb.data)),
      tensor('weights', FLOAT, [weights.length], weights),
      tensor('axis1', INT64, [1], BigInt64Array.from([1n])),
      tensor('axis2', INT64, [1], BigInt64Array.from([2n])),
      tensor('one', FLOAT, [], Float32Array.from([1])),
    ],
    node: [
      node('Gather', ['mapping', 'input_ids'], ['rows']),
      node('Gather', ['embeddings', 'rows'], ['tok_vecs']),
      node('Gather', ['weights', 'input_ids'], ['tok_w']),
      node('Cast', ['attention_mask'], ['maskf'], [{ name: 'to', type: ATTR_INT, i: FLOAT }]),
      node('Mul', ['tok_w', 'maskf'], ['w_masked']),
      node('Unsqueeze', ['w_masked', 'axis2'], ['w3']),
      node('Mul', ['tok_vecs', 'w3'], ['weighted']),
      node('ReduceSum', ['weighted', 'axis1'], ['summed'], [{ name: 'keepdims', type: ATTR_INT, i: 0 }]),
      node('ReduceSum', ['maskf', 'axis1'], ['count'], [{ name: 'keepdims', type: ATTR_INT, i: 1 }]),
      node('Max', ['count', 'one'], ['count1']),
      node('Div', ['summed', 'count1'], ['sentence_embedding']),
    ],
    input: [io('input_ids', INT64, ['batch', 'seq']), io('attention_mask', INT64, ['batch', 'seq'])],
    output: [
      {
        name: 'sentence_embedding',
        type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: dim }] } } },
      },
    ],
  };
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'hearthnet-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes model.onnx + tokenizer.json into a fresh temp folder and returns its path. */
export function writeModel2VecOnnxDir(modelDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hn-m2v-onnx-'));
  writeFileSync(join(dir, 'model.onnx'), buildModel2VecOnnx(modelDir));
  copyFileSync(join(modelDir, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  return dir;
}
