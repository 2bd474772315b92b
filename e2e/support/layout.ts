// What a reader would see cut off on the page the browser shows: a page that scrolls sideways, a
// control reaching past its card or the window, and a select, field or button too narrow for the
// text it shows (text areas wrap theirs). Deliberately scrolling regions (wide tables) are left alone.
import type { Page } from "@playwright/test";

/** One line per problem, naming the element by its tag, label or text; empty when all fits. */
export function clippedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) {
      problems.push(
        `the page scrolls sideways: ${root.scrollWidth} px wide in ${root.clientWidth}`,
      );
    }
    const canvas = document.createElement("canvas").getContext("2d") as CanvasRenderingContext2D;
    /** The width `text` takes in the element's own font. */
    const textWidth = (element: Element, text: string) => {
      canvas.font = getComputedStyle(element).font;
      return canvas.measureText(text).width;
    };
    const nameOf = (element: Element) => {
      const label =
        element.getAttribute("aria-label") ??
        (element as HTMLInputElement).labels?.[0]?.textContent ??
        element.getAttribute("name") ??
        element.textContent;
      return `${element.tagName.toLowerCase()} "${(label ?? "").trim().slice(0, 40)}"`;
    };
    /** Inside a region that scrolls on purpose (a table wider than its card). */
    const inScroller = (element: Element) => {
      for (let node = element.parentElement; node; node = node.parentElement) {
        const overflow = getComputedStyle(node).overflowX;
        if ((overflow === "auto" || overflow === "scroll") && node !== root) return true;
      }
      return false;
    };
    const controls = document.querySelectorAll<HTMLElement>(
      "main input:not([type=checkbox]):not([type=radio]):not([type=hidden]), main select, main textarea, main button",
    );
    for (const control of Array.from(controls)) {
      const box = control.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || inScroller(control)) continue;
      const card = control.closest("section.card");
      const bounds = card?.getBoundingClientRect() ?? { left: 0, right: root.clientWidth };
      if (box.right > bounds.right + 1 || box.left < bounds.left - 1) {
        problems.push(`${nameOf(control)} reaches past its ${card ? "card" : "window"}`);
        continue;
      }
      const style = getComputedStyle(control);
      const room =
        control.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      let shown = "";
      if (control instanceof HTMLSelectElement) {
        // The native arrow takes about 20 px of the select's inner width.
        shown = control.selectedOptions[0]?.text ?? "";
        if (textWidth(control, shown) > room - 20) {
          problems.push(`${nameOf(control)} cuts off its choice "${shown}"`);
        }
      } else if (control instanceof HTMLInputElement) {
        shown = control.value === "" ? control.placeholder : "";
        if (shown && textWidth(control, shown) > room + 1) {
          problems.push(`${nameOf(control)} cuts off its placeholder "${shown}"`);
        }
      } else if (control.scrollWidth > control.clientWidth + 1) {
        problems.push(`${nameOf(control)} cuts off its label`);
      }
    }
    return problems;
  });
}
