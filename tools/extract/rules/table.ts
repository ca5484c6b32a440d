/** Tables as rows of bilingual cells, with each cell's position. */
import type { Nodes, Table } from 'mdast';
import { bitextOf, type Bitext } from '../view.ts';

export interface Cell extends Bitext {
  line: number;
  column: number;
  links: string[];
}

// The headers and permissions rules both read every table, each twice (to decide, then to
// take the facts): a table's cells are read once a page and shared.
const rowsByTable = new WeakMap<Table, readonly (readonly Cell[])[]>();

/** The table's rows of cells, header row first. Shared between rules: do not change them. */
export function rowsOf(table: Table): readonly (readonly Cell[])[] {
  let rows = rowsByTable.get(table);
  if (!rows) {
    rows = readRows(table);
    rowsByTable.set(table, rows);
  }
  return rows;
}

function readRows(table: Table): Cell[][] {
  return table.children.map((row) =>
    row.children.map((cell) => {
      const bt = bitextOf(cell.children as Nodes[]);
      return {
        text: bt.text,
        ...(bt.en !== undefined ? { en: bt.en } : {}),
        line: cell.position?.start.line ?? table.position?.start.line ?? 1,
        column: cell.position?.start.column ?? 1,
        links: bt.links,
      };
    }),
  );
}
