/** How the draw works, in a few sentences (API.md "The draw anyone can check"), with its commitment. */
export function DrawExplained({ commitment, randomnessSource }: { commitment: string; randomnessSource: string }) {
  return (
    <section className="waiting-room__draw" aria-labelledby="waiting-room-draw">
      <h3 id="waiting-room-draw">How the draw works</h3>
      <p>
        Your place is drawn when the sale starts, not given by when you came: everyone in the waiting room by then has the same
        chance. Those who come after the start are numbered behind them, in the order they come.
      </p>
      <p>
        The order comes from a secret number chosen before the waiting room opened
        {randomnessSource ? `, mixed with a public random number (${randomnessSource}) nobody can choose` : ''}. Its fingerprint
        is published now and the number itself after the draw, so anyone can check that every place was drawn fairly.
      </p>
      <p className="hint">
        Fingerprint (commitment): <code className="waiting-room__hash" data-testid="queue-commitment">{commitment}</code>
      </p>
    </section>
  );
}
