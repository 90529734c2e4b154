// The one member of workerd's built-in module that outbox-object.ts uses, typed
// loosely so the package needs no @cloudflare/workers-types to build; the
// emitted declarations do not name it.
declare module 'cloudflare:workers' {
  export const DurableObject: abstract new (ctx: never, env: never) => object;
}
