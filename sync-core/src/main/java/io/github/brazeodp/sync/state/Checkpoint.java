package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Progress of one flow run in one scope, so that a crashed run can resume where it stopped.
 *
 * <p>The segment sync stores the export it is reading (object prefix, URL, when it was requested),
 * the archive files it has finished and the file and line it reached. Other flows may keep their
 * own small values in {@link #attributes()}.
 *
 * @param runId the run that wrote this checkpoint
 * @param exportObjectPrefix the export's object prefix, or null
 * @param exportUrl the export's download URL, or null
 * @param exportRequestedAt when the export was requested (its URL expires a few hours later), or
 *     null
 * @param completedFiles archive files read to the end, in the order they were finished
 * @param currentFile the file being read, or null between files
 * @param currentLine the last line of {@code currentFile} whose effects are committed (0 for none)
 * @param attributes other small values of the flow
 */
public record Checkpoint(
    String runId,
    String exportObjectPrefix,
    String exportUrl,
    Instant exportRequestedAt,
    List<String> completedFiles,
    String currentFile,
    long currentLine,
    Map<String, String> attributes) {

  /**
   * Validates the values and copies the collections.
   *
   * @param runId the run that wrote this checkpoint
   * @param exportObjectPrefix the export's object prefix, or null
   * @param exportUrl the export's download URL, or null
   * @param exportRequestedAt when the export was requested (its URL expires a few hours later), or
   *     null
   * @param completedFiles archive files read to the end, in the order they were finished
   * @param currentFile the file being read, or null between files
   * @param currentLine the last line of {@code currentFile} whose effects are committed
   * @param attributes other small values of the flow
   */
  public Checkpoint {
    Objects.requireNonNull(runId, "runId");
    completedFiles = List.copyOf(completedFiles == null ? List.of() : completedFiles);
    attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
    if (currentLine < 0) {
      throw new IllegalArgumentException("currentLine must not be negative: " + currentLine);
    }
  }

  /**
   * Starts a checkpoint for the given run.
   *
   * @param runId the run that writes the checkpoint
   * @return a builder with no export, no files and line 0
   */
  public static Builder builder(String runId) {
    return new Builder(runId);
  }

  /**
   * Returns a builder initialised with this checkpoint's values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(runId)
        .export(exportObjectPrefix, exportUrl, exportRequestedAt)
        .completedFiles(completedFiles)
        .position(currentFile, currentLine)
        .attributes(attributes);
  }

  /**
   * Returns a copy positioned at {@code line} of {@code file}.
   *
   * @param file the file being read
   * @param line the last committed line of that file
   * @return the new checkpoint
   */
  public Checkpoint atLine(String file, long line) {
    return toBuilder().position(Objects.requireNonNull(file, "file"), line).build();
  }

  /**
   * Returns a copy with {@code file} added to the completed files and no current file.
   *
   * @param file the file read to the end
   * @return the new checkpoint
   */
  public Checkpoint withCompletedFile(String file) {
    Objects.requireNonNull(file, "file");
    List<String> files = new ArrayList<>(completedFiles);
    if (!files.contains(file)) {
      files.add(file);
    }
    return toBuilder().completedFiles(files).position(null, 0).build();
  }

  /**
   * Tells whether {@code file} was read to the end.
   *
   * @param file an archive file name
   * @return true when it is among the completed files
   */
  public boolean isCompleted(String file) {
    return completedFiles.contains(file);
  }

  /** Builds a {@link Checkpoint}. */
  public static final class Builder {
    private final String runId;
    private String exportObjectPrefix;
    private String exportUrl;
    private Instant exportRequestedAt;
    private List<String> completedFiles = List.of();
    private String currentFile;
    private long currentLine;
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder(String runId) {
      this.runId = Objects.requireNonNull(runId, "runId");
    }

    /**
     * Sets the export being read.
     *
     * @param objectPrefix the export's object prefix, or null
     * @param url the download URL, or null
     * @param requestedAt when the export was requested, or null
     * @return this builder
     */
    public Builder export(String objectPrefix, String url, Instant requestedAt) {
      this.exportObjectPrefix = objectPrefix;
      this.exportUrl = url;
      this.exportRequestedAt = requestedAt;
      return this;
    }

    /**
     * Sets the files read to the end.
     *
     * @param files the completed files, in order
     * @return this builder
     */
    public Builder completedFiles(List<String> files) {
      this.completedFiles = List.copyOf(files);
      return this;
    }

    /**
     * Sets the file being read and its last committed line.
     *
     * @param file the current file, or null
     * @param line the last committed line
     * @return this builder
     */
    public Builder position(String file, long line) {
      this.currentFile = file;
      this.currentLine = line;
      return this;
    }

    /**
     * Sets one flow-specific value.
     *
     * @param key the name
     * @param value the value
     * @return this builder
     */
    public Builder attribute(String key, String value) {
      attributes.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Replaces all flow-specific values.
     *
     * @param values the values
     * @return this builder
     */
    public Builder attributes(Map<String, String> values) {
      attributes.clear();
      values.forEach(this::attribute);
      return this;
    }

    /**
     * Builds the checkpoint.
     *
     * @return the checkpoint
     */
    public Checkpoint build() {
      return new Checkpoint(
          runId,
          exportObjectPrefix,
          exportUrl,
          exportRequestedAt,
          completedFiles,
          currentFile,
          currentLine,
          attributes);
    }
  }
}
