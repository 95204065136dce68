// Scans a share token's QR code with the camera, where the browser can (`BarcodeDetector`).
import { useEffect, useRef, useState } from 'preact/hooks';

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
declare global {
  interface Window {
    BarcodeDetector?: new (options: { formats: string[] }) => Detector;
  }
}

export function QrScanner({ onScanned }: { onScanned: (value: string) => void }) {
  const [scanning, setScanning] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (!scanning || !window.BarcodeDetector) return;
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    let stream: MediaStream | null = null;
    let stopped = false;
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        if (stopped || !video.current) {
          stream.getTracks().forEach((track) => track.stop());
          return;
        }
        video.current.srcObject = stream;
        await video.current.play();
        while (!stopped) {
          const found = await detector.detect(video.current);
          const token = found.find((code) => code.rawValue.startsWith('VIC_'));
          if (token) {
            onScanned(token.rawValue);
            setScanning(false);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      } catch (error) {
        setProblem(`The camera could not be used: ${error instanceof Error ? error.message : error}`);
        setScanning(false);
      }
    })();
    return () => {
      stopped = true;
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [scanning]);
  if (!window.BarcodeDetector) return null;
  return (
    <div class="qr">
      <button type="button" onClick={() => setScanning(!scanning)}>
        {scanning ? 'Stop scanning' : 'Scan the QR code'}
      </button>
      {scanning && <video ref={video} muted playsInline aria-label="Camera view" />}
      {problem && <p role="alert">{problem}</p>}
    </div>
  );
}
