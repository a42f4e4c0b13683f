/**
 * RFC 9162 §2.1 Merkle tree for the traceability ledger: hashing, stored complete-subtree hashes,
 * root/inclusion/consistency generation in O(log n) reads, and the RFC verifiers.
 *
 * This module is the single import point; each piece lives in its own small file.
 */
export { storedHashesForAppend, storedHashesForAppendFrom, storedHashesForAppendIndexes } from './append.ts';
export { consistencyProof, consistencyProofFrom, consistencyProofPlan } from './consistency-proof.ts';
export { type HashReader, readHashesChecked } from './hash-reader.ts';
export { bytesEqual, EMPTY_TREE_HASH, HASH_SIZE, isHash, leafHash, leafHashOfText, nodeHash } from './hashing.ts';
export { inclusionProof, inclusionProofFrom, inclusionProofPlan } from './inclusion-proof.ts';
export { MemoryHashStore } from './memory-store.ts';
export { merkleTreeHash } from './mth.ts';
export {
  MAX_STORED_LEAF,
  type StoredHashIndex,
  splitStoredHashIndex,
  storedHashCount,
  storedHashIndex,
} from './stored-index.ts';
export type { ProofPlan } from './subtree-plan.ts';
export { treeHash, treeHashFrom, treeHashIndexes } from './tree-hash.ts';
export { consistencyProofError, consistencyProofLength, verifyConsistency } from './verify-consistency.ts';
export { inclusionProofError, inclusionProofLength, verifyInclusion } from './verify-inclusion.ts';
