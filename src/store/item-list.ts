/**
 * The list object of `GET /v1/responses/{id}/input_items`: a page of items
 * in the order asked for, starting after a given item id. Pure.
 */
export interface ItemListQuery {
  /** 1 to 100. */
  limit: number;
  order: 'asc' | 'desc';
  /** The id of the item the page starts after. */
  after: string | undefined;
}

export interface ItemList<Item> {
  object: 'list';
  data: Item[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** One page of `items` (given oldest first); undefined when `after` names no item in the list. */
export function pageOfItems<Item extends Record<string, unknown>>(
  items: readonly Item[],
  query: ItemListQuery,
): ItemList<Item> | undefined {
  const ordered = query.order === 'asc' ? items : [...items].reverse();
  let start = 0;
  if (query.after !== undefined) {
    const index = ordered.findIndex((item) => item.id === query.after);
    if (index === -1) return undefined;
    start = index + 1;
  }
  const data = ordered.slice(start, start + query.limit);
  return {
    object: 'list',
    data,
    first_id: typeof data[0]?.id === 'string' ? data[0].id : null,
    last_id: typeof data.at(-1)?.id === 'string' ? (data.at(-1)!.id as string) : null,
    has_more: start + query.limit < ordered.length,
  };
}
