/** Tables as rows of bilingual cells, with each cell's position. */
import type { Nodes, Table } from 'mdast';
import { bitextOf, type Bitext } from '../view.ts';

export interface Cell extends Bitext {
  line: number;
  column: number;
  links: string[];
}

export function rowsOf(table: Table): Cell[][] {
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
