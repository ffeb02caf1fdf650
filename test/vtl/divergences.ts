// Cases where Gatehouse deliberately or knowingly renders differently from Velocity 1.7, with
// the reason. The oracle test skips them (and checks that each still differs, so the list stays
// honest). API Gateway's own variables ($input, $util) are not Velocity's and are tested in
// test/mapping instead.
export const DIVERGENCES: Record<string, string> = {};
