// @vitest-environment jsdom
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('zxing-wasm/reader', () => ({ prepareZXingModule: vi.fn(), readBarcodes: vi.fn(async () => []) }));
vi.mock('zxing-wasm/reader/zxing_reader.wasm?url', () => ({ default: '/zxing_reader.wasm' }));

const { default: Camera } = await import('./Camera');

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the door’s camera', () => {
  it('stops a camera that opens after it was turned off', async () => {
    const track = { stop: vi.fn() };
    let open: (stream: MediaStream) => void = () => {};
    const getUserMedia = vi.fn(() => new Promise<MediaStream>((resolve) => (open = resolve)));
    vi.stubGlobal('navigator', { ...navigator, mediaDevices: { getUserMedia } });
    const { unmount } = render(<Camera onCode={() => {}} />);
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    unmount(); // turned off while the browser still asked for the camera
    await act(async () => open({ getTracks: () => [track] } as unknown as MediaStream));
    expect(track.stop).toHaveBeenCalled();
  });
});
