package io.github.brazeodp.braze;

/** A line of an export archive is not a valid user object. */
public class ExportParseException extends BrazeException {
  private static final long serialVersionUID = 1L;
  private final String fileName;
  private final long line;

  /** Creates the exception. */
  public ExportParseException(String fileName, long line, String reason, Throwable cause) {
    super(fileName + ":" + line + ": " + reason, cause);
    this.fileName = fileName;
    this.line = line;
  }

  /** Returns the name of the file in the archive. */
  public String fileName() {
    return fileName;
  }

  /** Returns the line number, from 1. */
  public long line() {
    return line;
  }
}
