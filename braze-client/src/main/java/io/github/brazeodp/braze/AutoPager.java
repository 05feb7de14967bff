package io.github.brazeodp.braze;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Iterates every item of a paged listing, fetching page 0, 1, 2, ... lazily until a short page.
 *
 * <p>Each iteration starts again at page 0. Usable in a for-each loop or as a {@link Stream}.
 */
public final class AutoPager<T> implements Iterable<T> {
  private final IntFunction<Page<T>> fetch;

  AutoPager(IntFunction<Page<T>> fetch) {
    this.fetch = fetch;
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private Page<T> page;
      private int index;

      @Override
      public boolean hasNext() {
        while (page == null || index >= page.items().size()) {
          if (page != null && !page.hasNext()) {
            return false;
          }
          page = fetch.apply(page == null ? 0 : page.number() + 1);
          index = 0;
          if (page.items().isEmpty()) {
            return false;
          }
        }
        return true;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.items().get(index++);
      }
    };
  }

  /** Returns the items as a lazy sequential stream. */
  public Stream<T> stream() {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false);
  }
}
