// An object with another's fields and some more (issue 15: memory per room and the server's CPU per
// event; docs/architecture.md "One shape per kind of object").
//
// On Node 20's V8 an object literal that starts with a spread and then adds a field the spread did not
// bring (`{ ...person, active: true }`, `{ ...defaults, ...options }`) gets a hidden class (a "map") of
// its own: the spread's copy is made on a map outside V8's transition tree, and adding a field to it
// copies that map again, for every object. Each such map and its descriptors are about 200–300 bytes
// of old-generation heap that live as long as the object, and the literal takes about 1.3 µs instead of
// 0.1 µs (measured: 1,000 objects of one literal, 8 sharing a map; a field that overrides one the spread
// brought keeps the map shared). The review's panel view had 160 such objects a room, the people 20.
// `extend` copies field by field into a fresh literal, whose maps V8 shares between every object with
// the same fields in the same order, as a spread without added fields does. The fields and their order
// are those of `{ ...base, ...more }` (string keys only: no object this is used on has symbol keys).
// test/unit/extend.test.ts keeps the server and shared code free of the other form.

/** `{ ...base, ...more }`, with the map V8 shares between objects of the same fields (see above). */
export function extend<A extends object, B extends object>(base: A, more: B): Omit<A, keyof B> & B {
  const out: Record<string, unknown> = {};
  copyInto(out, base);
  copyInto(out, more);
  return out as Omit<A, keyof B> & B;
}

function copyInto(out: Record<string, unknown>, from: object): void {
  // A spread of nothing adds nothing (a record's missing entry read as an object).
  if (from === null || from === undefined) return;
  const src = from as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    // As a spread defines it: an own field, never the prototype's setter.
    if (k === '__proto__') Object.defineProperty(out, k, { value: src[k], enumerable: true, writable: true, configurable: true });
    else out[k] = src[k];
  }
}
