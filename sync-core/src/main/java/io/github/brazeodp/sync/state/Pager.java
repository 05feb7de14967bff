package io.github.brazeodp.sync.state;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates over a large key set one page at a time, remembering only the last key returned, so that
 * a million members never sit in memory and no database cursor stays open between pages.
 */
final class Pager implements Iterator<String> {

  /** Reads one page of keys greater than {@code afterKey} (all keys when null), in key order. */
  @FunctionalInterface
  interface PageSource {
    List<String> page(String afterKey, int limit);
  }

  private final PageSource source;
  private final int pageSize;
  private List<String> page = List.of();
  private int index;
  private String last;
  private boolean exhausted;

  Pager(PageSource source) {
    this(source, SyncStateStore.DEFAULT_PAGE_SIZE);
  }

  Pager(PageSource source, int pageSize) {
    this.source = source;
    this.pageSize = pageSize;
  }

  @Override
  public boolean hasNext() {
    if (index < page.size()) {
      return true;
    }
    if (exhausted) {
      return false;
    }
    page = source.page(last, pageSize);
    index = 0;
    // A short page is the last one; this saves a final query that would return nothing.
    exhausted = page.size() < pageSize;
    return !page.isEmpty();
  }

  @Override
  public String next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    last = page.get(index++);
    return last;
  }
}
