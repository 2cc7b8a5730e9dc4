let audio: AudioContext | null = null;

/** A short high tone for a ticket let through, a low long one for a refusal: heard without a look. */
export function beep(ok: boolean): void {
  try {
    audio ??= new AudioContext();
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.frequency.value = ok ? 880 : 220;
    volume.gain.value = 0.2;
    tone.connect(volume).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (ok ? 0.12 : 0.4));
  } catch {
    // No sound on this device: the colour still says it.
  }
}
