package io.github.brazeodp.odp;

/** The field separator of a CSV export; ODP's default is {@link #COMMA}. */
public enum ExportDelimiter {
  /** {@code ,}. */
  COMMA(','),
  /** A tab character. */
  TAB('\t'),
  /** {@code |}. */
  PIPE('|'),
  /** A delimiter this client does not know yet; reading assumes a comma. */
  UNKNOWN(',');

  private final char character;

  ExportDelimiter(char character) {
    this.character = character;
  }

  /** Returns the separator character. */
  public char character() {
    return character;
  }
}
