/** services/file (M07 §4 of ../shared/spec/hearthnet-reference.md): the file service on the bus, the mesh fetch client, and the holder index. */
export {
  FileService,
  FILE_READ_MAX_CONCURRENT,
  FILE_PUT_MAX_CONCURRENT,
  type FileServiceComponents,
  type FileServiceInit,
} from './service';
export { UploadSessions, UPLOAD_IDLE_TIMEOUT_MS } from './upload';
export {
  FileClient,
  fetchFromMesh,
  createMeshTransfer,
  addFile,
  addFiles,
  guessMimeType,
  MESH_SOURCE,
  type AddFileOptions,
  type FileClientComponents,
  type MeshFetchOptions,
} from './client';
export { saveFile, fetchSmallFiles, BATCH_MAX_FILE_CHUNKS } from './batch';
export { SourceIndex, type KnownBlob } from './source-index';
export * from './schemas';
