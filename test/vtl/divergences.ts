// Corpus or random cases where Gatehouse knowingly renders differently from Velocity 1.7, each with
// its reason; the oracle test skips them and checks that each still differs, so the list stays
// honest. It is empty: every hand-written case and every generated template matches. The known
// differences (docs/vtl.md, "Known differences") are kept out of the corpus and the generator
// instead; API Gateway's own variables ($input, $util) are tested in test/mapping.
export const DIVERGENCES: Record<string, string> = {};
