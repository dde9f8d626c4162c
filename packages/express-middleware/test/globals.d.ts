// Tests read many JSON answers and assert on their shape; `unknown` there would only add casts.
export {};

declare global {
  interface Response {
    // biome-ignore lint/suspicious/noExplicitAny: test-only convenience
    json(): Promise<any>;
  }
}
