/**
 * Scans a QR code with the camera (getUserMedia; only offered where the page is a secure context).
 * Frames are decoded a few times a second until a code is found, the user stops, or 2 minutes pass.
 */
import { createSignal, onCleanup, onMount, Show, type Component } from 'solid-js';
import { decodeQrFromFrame } from './qr-decode';

const FRAME_INTERVAL_MS = 250;
const GIVE_UP_MS = 120_000;

/** Whether this page may use the camera at all (plain-http LAN pages may not). */
export function cameraAvailable(): boolean {
  return (
    window.isSecureContext && typeof (navigator.mediaDevices as MediaDevices | undefined)?.getUserMedia === 'function'
  ); // absent on plain http;
}

const CameraScan: Component<{ onCode: (text: string) => void; onStop: () => void }> = (props) => {
  let video!: HTMLVideoElement;
  const [problem, setProblem] = createSignal<string | null>(null);
  let stream: MediaStream | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
  };
  onCleanup(stop);

  const start = async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch {
      setProblem(
        'The camera could not be opened. Allow camera access for this page, or open a photo of the code instead.',
      );
      return;
    }
    if (stopped) {
      stop();
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => undefined);
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const started = Date.now();
    const tick = async () => {
      if (stopped || !ctx) return;
      if (Date.now() - started > GIVE_UP_MS) {
        setProblem('No code found yet. Hold the code steady in the frame, or open a photo of it instead.');
        stop();
        return;
      }
      if (video.videoWidth > 0) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        const text = await decodeQrFromFrame(ctx.getImageData(0, 0, canvas.width, canvas.height)).catch(() => null);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have run during the await
        if (text && !stopped) {
          stop();
          props.onCode(text);
          return;
        }
      }
      timer = setTimeout(() => void tick(), FRAME_INTERVAL_MS);
    };
    void tick();
  };
  onMount(() => void start());

  return (
    <div class="ob-camera">
      <Show
        when={!problem()}
        fallback={
          <p class="ob-note" role="status">
            {problem()}
          </p>
        }
      >
        <p class="ob-note" role="status">
          Point the camera at your neighbour's code.
        </p>
      </Show>
      <video ref={video} class="ob-video" muted playsinline aria-label="Camera view" />
      <button
        type="button"
        class="ob-button ob-secondary"
        onClick={() => {
          stop();
          props.onStop();
        }}
      >
        Stop the camera
      </button>
    </div>
  );
};

export default CameraScan;
