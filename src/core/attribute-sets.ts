/** An attribute column of an import file: where its cells are and the key their values are kept under. */
export interface AttributeColumn {
  readonly index: number;
  readonly key: string;
}

/** One step of the tree of value combinations seen so far: a value per column, the shared object at the end. */
interface Combination {
  readonly next: Map<string, Combination>;
  attributes?: Readonly<Record<string, string>>;
}

/** Past this many distinct values a column is not worth sharing (names, notes): its values are kept as they come. */
const MAX_SHARED_VALUES = 50_000;
/** Past this many combinations, rows get objects of their own (a file whose attributes are all different). */
const MAX_COMBINATIONS = 50_000;

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The attributes of an import's rows, built so that a million rows cost little memory: rows with the same values
 * (the same municipio, quartiere and CAP) share one frozen object, and each distinct value of a column is kept
 * once. Empty cells give no attribute. The objects are frozen because several subscribers hold them.
 */
export class AttributeSets {
  private readonly values: Array<Map<string, string>>;
  private readonly root: Combination = { next: new Map() };
  private combinations = 0;

  constructor(private readonly columns: readonly AttributeColumn[]) {
    this.values = columns.map(() => new Map());
  }

  /** The attributes the cells of one row give. */
  of(cells: readonly string[]): Readonly<Record<string, string>> {
    const columns = this.columns;
    if (columns.length === 0) return NO_ATTRIBUTES;
    let node: Combination | undefined = this.root;
    for (let i = 0; i < columns.length && node !== undefined; i++) node = node.next.get(cellOf(cells, columns[i] as AttributeColumn));
    return node?.attributes ?? this.share(cells);
  }

  /** Builds the attributes of a combination not seen yet, and keeps it for the next rows while there is room. */
  private share(cells: readonly string[]): Readonly<Record<string, string>> {
    const attributes: Record<string, string> = {};
    let node: Combination | undefined = this.combinations < MAX_COMBINATIONS ? this.root : undefined;
    this.columns.forEach((column, i) => {
      const value = this.sharedValue(i, cellOf(cells, column));
      if (value !== '') attributes[column.key] = value;
      if (node === undefined) return;
      let next = node.next.get(value);
      if (next === undefined) {
        next = { next: new Map() };
        node.next.set(value, next);
        this.combinations++;
      }
      node = next;
    });
    if (node === undefined) return attributes;
    node.attributes = Object.freeze(attributes);
    return node.attributes;
  }

  private sharedValue(column: number, value: string): string {
    const seen = this.values[column] as Map<string, string>;
    const shared = seen.get(value);
    if (shared !== undefined) return shared;
    if (seen.size < MAX_SHARED_VALUES) seen.set(value, value);
    return value;
  }
}

function cellOf(cells: readonly string[], column: AttributeColumn): string {
  return (cells[column.index] ?? '').trim();
}
