/**
 * QR decoding with zxing-wasm's reader build. Its .wasm is bundled with the app (Vite emits it as
 * an asset) and `locateFile` points there, so nothing is fetched from a CDN at run time.
 */
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

let prepared = false;
function prepare(): void {
  if (prepared) return;
  prepared = true;
  prepareZXingModule({
    overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) },
    fireImmediately: true,
  }).catch(() => {
    // A failed load resurfaces in the decode that needs the module (reported there, once); try again next time.
    prepared = false;
  });
}

const OPTIONS: ReaderOptions = { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 };

/** The text of the first QR code in an image file (a photo or screenshot), or null. */
export async function decodeQrFromFile(file: Blob): Promise<string | null> {
  prepare();
  const results = await readBarcodes(file, OPTIONS);
  return results.find((r) => r.isValid)?.text ?? null;
}

/** The text of the first QR code in one camera frame, or null. */
export async function decodeQrFromFrame(frame: ImageData): Promise<string | null> {
  prepare();
  const results = await readBarcodes(frame, OPTIONS);
  return results.find((r) => r.isValid)?.text ?? null;
}
