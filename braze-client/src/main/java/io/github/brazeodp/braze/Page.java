package io.github.brazeodp.braze;

import java.util.List;

/**
 * One page of a paged Braze listing.
 *
 * @param number the page number, from 0
 * @param items the items of this page
 * @param pageSize Braze's page size; a page with fewer items is the last
 */
public record Page<T>(int number, List<T> items, int pageSize) {
  /** Copies the items. */
  public Page {
    items = List.copyOf(items);
  }

  /** Returns whether a further page may exist. */
  public boolean hasNext() {
    return items.size() >= pageSize;
  }
}
