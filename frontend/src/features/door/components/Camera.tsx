import { useEffect, useRef, useState } from 'react';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import { useLatest } from '../../../lib/use-latest';

// The decoder from this app's own files, never a CDN: a door may have no network by the time it scans.
prepareZXingModule({
  overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) },
  fireImmediately: true,
});

const LOOK_EVERY_MS = 150;
const WIDTH = 640;

/**
 * The phone's back camera, read for QR codes (ZXing-C++ in WebAssembly) a few times a second;
 * each code read is handed to `onCode`. Lazy: the decoder loads only when a door person turns
 * the camera on.
 */
export default function Camera({ onCode }: { onCode: (code: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const latest = useLatest(onCode);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const canvas = document.createElement('canvas');
    const look = async () => {
      const source = video.current;
      if (stopped || !source) return;
      if (source.videoWidth) {
        canvas.width = WIDTH;
        canvas.height = Math.round((source.videoHeight / source.videoWidth) * WIDTH);
        const context = canvas.getContext('2d', { willReadFrequently: true });
        context?.drawImage(source, 0, 0, canvas.width, canvas.height);
        const image = context?.getImageData(0, 0, canvas.width, canvas.height);
        const [found] = image ? await readBarcodes(image, { formats: ['QRCode'], maxNumberOfSymbols: 1 }) : [];
        if (found?.isValid && found.text) latest.current(found.text);
      }
      if (!stopped) timer = setTimeout(() => void look(), LOOK_EVERY_MS);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then((opened) => {
        stream = opened;
        // Turned off while the browser was still opening it: the cleanup below found no stream to stop.
        if (stopped || !video.current) return opened.getTracks().forEach((track) => track.stop());
        video.current.srcObject = opened;
        void video.current.play();
        void look();
      })
      .catch((error: Error) => setFailed(error.message || 'no camera'));
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [latest]);

  if (failed) return <p className="notice notice--error">The camera could not start ({failed}): type or scan the code into the box.</p>;
  return <video ref={video} className="door-camera" muted playsInline aria-label="Camera" />;
}
