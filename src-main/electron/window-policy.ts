/**
 * What the window may do, as plain data and predicates (applied by the Electron adapter): isolation
 * settings, the Content-Security-Policy, which permission requests are granted (the camera, to the
 * app's own page, for QR scanning), where the page may navigate and which links go to the browser.
 */

/** webPreferences of the main window: isolated, sandboxed, no Node in the page. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

/**
 * Nothing remote: scripts, styles, images and connections come from the app itself. 'wasm-unsafe-eval'
 * lets the QR decoder's WebAssembly compile; data:/blob: images show QR codes and camera frames.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "worker-src 'self' blob:",
].join('; ');

/**
 * The built page is served from a privileged custom scheme rather than file:// (so it has an origin
 * of its own, the CSP header applies, and no other local file is reachable).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'hearthnet';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface AppPage {
  /** The dev server (electron-vite dev), null when the built page is served from APP_ORIGIN. */
  readonly devOrigin: string | null;
}

/** True when `url` is the app's own page (any route of it), never a remote site or a local file. */
export function isAppPage(url: string, page: AppPage): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (page.devOrigin !== null) return u.origin === new URL(page.devOrigin).origin;
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
}

/**
 * The file under the built renderer folder that an app:// request names, or null (another host,
 * a path that climbs out of the folder). `/` is index.html.
 */
export function appFileFor(url: string, rendererDir: string, join: (...p: string[]) => string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  const parts = path.split('/').filter((p) => p.length > 0);
  if (parts.some((p) => p === '..' || p === '.' || p.includes('\\') || p.includes('\0'))) return null;
  return parts.length === 0 ? join(rendererDir, 'index.html') : join(rendererDir, ...parts);
}

export interface PermissionRequest {
  readonly permission: string;
  readonly requestingUrl: string;
  /** For 'media': which devices are asked for. */
  readonly mediaTypes?: readonly string[];
  /** True when asked from a sub-frame (the app has none). */
  readonly fromSubFrame?: boolean;
}

/** Only the app's own top-level page, and only the camera (QR scanning): no microphone, nothing else. */
export function permissionGranted(req: PermissionRequest, page: AppPage): boolean {
  if (req.fromSubFrame) return false;
  if (!isAppPage(req.requestingUrl, page)) return false;
  if (req.permission !== 'media') return false;
  const types = req.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

/** Permission checks (synchronous queries) follow the same rule; 'media' checks carry no device list. */
export function permissionCheckAllowed(permission: string, requestingUrl: string, page: AppPage): boolean {
  return permission === 'media' && isAppPage(requestingUrl, page);
}

/** The page may move between its own routes only; everything else is refused. */
export function navigationAllowed(url: string, page: AppPage): boolean {
  return isAppPage(url, page);
}

/** Links the page opens in a new window go to the user's browser, and only http(s) ones. */
export function openExternally(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Adds the CSP header to a response (the adapter's onHeadersReceived), replacing any other. */
export function withCsp(headers: Record<string, string[] | string> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === 'content-security-policy') continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** After a renderer crash: reload, unless it keeps crashing (then leave it for the user to reopen). */
export class CrashPolicy {
  private readonly crashes: number[] = [];
  constructor(
    private readonly maxCrashes = 3,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** 'reload' for a crash worth recovering from; 'give-up' after too many in a short time; 'ignore' for a clean exit. */
  onRendererGone(reason: string): 'reload' | 'give-up' | 'ignore' {
    if (reason === 'clean-exit') return 'ignore';
    const t = this.now();
    this.crashes.push(t);
    while (this.crashes.length > 0 && t - this.crashes[0] > this.windowMs) this.crashes.shift();
    return this.crashes.length > this.maxCrashes ? 'give-up' : 'reload';
  }
}
