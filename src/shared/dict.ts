// Maps keyed by names a client chooses (query parameters, header names). Their prototype has no
// members and no prototype of its own, so `__proto__`, `constructor` and `toString` are keys like
// any other: on a plain object `?__proto__=x` set the prototype and `?constructor=x` found
// Object's own function (500s). Unlike Object.create(null), whose objects V8 keeps in dictionary
// mode, objects made by `new` share hidden classes and stay fast to fill and read: with
// Object.create(null), parsing a two-parameter query string was 11% of an in-process MOCK request.
const Members = function Dict(): void {} as unknown as new () => Record<string, never>;
Members.prototype = Object.create(null) as Record<string, never>;

/** An empty map for client-chosen names (see above). */
export function dict<T>(): Record<string, T> {
  return new Members() as Record<string, T>;
}
