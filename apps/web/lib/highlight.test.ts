import { describe, expect, it, vi } from "vitest";
import { createHighlightStore } from "./highlight.ts";

describe("createHighlightStore", () => {
  it("tells subscribers of changes only, until they unsubscribe", () => {
    const store = createHighlightStore();
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    expect(store.get()).toBeNull();
    store.set("a");
    store.set("a");
    expect(store.get()).toBe("a");
    expect(listener).toHaveBeenCalledTimes(1);
    store.set(null);
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    store.set("b");
    expect(listener).toHaveBeenCalledTimes(2);
  });
});
