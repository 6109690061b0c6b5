/**
 * Builds elements from data without innerHTML, so that no value from the API (a registration,
 * an organization name) is ever parsed as markup.
 */
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attributes: Attributes = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

function setAttributes(element: Element, attributes: Attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(element: Element, children: Child[]) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** A table with a caption and column headers; cells are built by the caller. */
export function table(caption: string, headers: Array<{ text: string; numeric?: boolean }>, rows: Node[]): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col', class: header.numeric ? 'num' : null }, header.text)))),
    h('tbody', {}, ...rows),
  );
}

/** A form of filters: submitting it calls `apply` and stays on the page. */
export function filtersForm(attributes: Attributes, apply: () => void, ...children: Child[]): HTMLFormElement {
  return h(
    'form',
    {
      class: 'filters',
      ...attributes,
      onsubmit: (event: Event) => {
        event.preventDefault();
        apply();
      },
    },
    ...children,
  );
}

/** A labelled form control. */
export function field(id: string, text: string, control: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, text), control);
}

/** A table in a box of its own that scrolls sideways where the table is wider than the screen. */
export function wrappedTable(caption: string, headers: Array<{ text: string; numeric?: boolean }>, rows: Node[], wrapClass?: string): HTMLElement {
  return h('div', { class: wrapClass ? `table-wrap ${wrapClass}` : 'table-wrap' }, table(caption, headers, rows));
}

/** A message for an empty list or a view whose data is not there yet. */
export function emptyState(text: string): HTMLElement {
  return h('p', { class: 'empty', role: 'status' }, text);
}

export function errorBox(text: string): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, text);
}
