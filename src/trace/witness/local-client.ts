import type { CheckpointService } from '../ledger/checkpoint.service.ts';
import type { ProofService } from '../ledger/proof.service.ts';
import type { LogClient, StateStore, WitnessState } from './witness.ts';

/** A {@link LogClient} calling the log's services in-process (demo witness, tests). */
export function localLogClient(checkpoints: CheckpointService, proofs: ProofService): LogClient {
  return {
    async checkpoint() {
      const cp = await checkpoints.latest();
      if (!cp) throw new Error('the log has no checkpoint yet');
      return cp.note;
    },
    consistency: (from, to) => proofs.consistency(from, to),
    async submit(note) {
      await checkpoints.addCosignatures(note);
    },
  };
}

/** Witness state kept in memory (tests) or by a callback (the demo keeps it in settings). */
export function memoryState(initial: WitnessState | null = null, onSave?: (s: WitnessState) => Promise<void>): StateStore & { current(): WitnessState | null } {
  let s = initial;
  return {
    load: async () => s,
    async save(next) {
      s = next;
      await onSave?.(next);
    },
    current: () => s,
  };
}
