/**
 * A value shaped like T as it arrived from outside the type system (a peer, a file, a JavaScript
 * caller): every field is still to be checked. Validators take this so their checks are not
 * "unnecessary" to the type checker, which would otherwise believe the declared type.
 */
export type Unchecked<T> = { readonly [K in keyof T]?: unknown };
