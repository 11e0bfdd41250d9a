/** A mesh of households shared by one test file: started before its tests, closed after them. */
import { afterAll, beforeAll } from 'vitest';
import { createMesh, waitFor, type Mesh } from './mesh';

/** `n` households that all see each other; the returned function gives the mesh inside the tests. */
export function fullMeshForFile(n = 3): () => Mesh {
  let mesh: Mesh | undefined;
  beforeAll(async () => {
    const m = await createMesh(n);
    mesh = m;
    await waitFor(() => m.nodes.every((x) => x.node.api.status().peers.length === n - 1), 15_000, 'full mesh');
  }, 60_000);
  afterAll(async () => mesh?.close());
  return () => {
    if (!mesh) throw new Error('the mesh of this file has not started');
    return mesh;
  };
}
