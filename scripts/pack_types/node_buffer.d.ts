// What the package's declarations are built against for `node:buffer`, which only the werift
// transport (`superpeer/werift`, Node's) imports: the two calls it makes. The build has no
// Node types of its own, and the declarations it emits name none of this.
declare module "node:buffer" {
  export const Buffer: {
    from(data: Uint8Array | string): Uint8Array;
    concat(list: readonly Uint8Array[]): Uint8Array;
  };
}
