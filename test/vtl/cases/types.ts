// A case rendered by real Velocity 1.7 (tools/velocity-oracle) and by our engine.
// [id, template, context as JSON text (optional; DEFAULT_CONTEXT when absent)]
export type OracleCase = [id: string, template: string, context?: string];

export const DEFAULT_CONTEXT = JSON.stringify({
  s: 'str', i: 5, d: 2.5, b: true, f: false, n: null, e: '', z: 0, neg: -3, big: 2147483647,
  l: [1, 2.5, 'x', true], el: [], m: { a: 1, b: [1, 'x'], c: { d: 'e' } }, em: {},
  words: 'a,b,,c,,', sp: '  pad  ', q: 'it\'s "q" \\ /', u: 'Ünï €', nl: 'a\nb', list2: [[1, 2], [3]],
  people: [{ name: 'Ann', age: 31 }, { name: 'Bob', age: 25 }, { name: 'Cy', age: 40 }],
});
