/** Vite's `?url` imports (the bundled zxing .wasm) resolve to the asset's URL. */
declare module '*?url' {
  const url: string;
  export default url;
}
