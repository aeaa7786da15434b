// Training: the Mirror-BERT objective and its model-independent parts.
//
//   MirrorCorpus.swift          corpus files → examples with two views (sentence / word / pairs)
//   EpochPlan.swift             seeded shuffling into full batches (drop_last), distinct texts per
//                               batch, a held-out slice
//   SpanMask.swift              the reference's random span masking (applied to view 2 only, as the
//                               reference's dataset does)
//   InfoNCE.swift               NT-Xent loss over the 2B pooled embeddings and its gradient
//   AdamW.swift                 the optimizer over flat parameter/gradient/moment buffers
//   AlignmentUniformity.swift   Wang & Isola's diagnostics of the embedding space
//   ModelCard*.swift            the trained folder's README.md (sentence-transformers-style card,
//                               model-index from `eval --card`), its YAML and how it is read back
//
// One step, as the reference runs it: batch = plan.batches(epoch)[k]; view 1 texts as they are,
// view 2 texts span-masked; encode both (dropout on) and pool to E (2B, H); loss and dE from
// InfoNCE; backpropagate through the encoder; AdamW over the parameter ranges that received
// gradients.
