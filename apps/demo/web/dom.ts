// Small helpers for updating the dashboard page's elements, writing to the DOM only what changed.

/** The element with id `id`; the page must have it. */
export function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}

/** Sets the text of `target` unless it is already `text`. */
export function setText(target: Element, text: string): void {
  if (target.textContent !== text) target.textContent = text;
}

/** Adds or removes the class `name`. */
export function setClass(target: Element, name: string, on: boolean): void {
  target.classList.toggle(name, on);
}

/** Colours `target` by the sign of `value` (classes `up` and `down`; less than half a cent is neither). */
export function signClass(target: Element, value: number): void {
  setClass(target, 'up', value > 0.004);
  setClass(target, 'down', value < -0.004);
}

/** `text` safe to put into HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
