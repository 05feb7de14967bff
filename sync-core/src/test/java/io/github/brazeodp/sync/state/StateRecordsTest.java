package io.github.brazeodp.sync.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.sync.state.ActivityRecord.Flow;
import io.github.brazeodp.sync.state.ActivityRecord.Rejection;
import io.github.brazeodp.sync.state.ActivityRecord.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The value types of the state package. */
class StateRecordsTest {
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");

  @Test
  void aCheckpointTracksFilesAndLines() {
    Checkpoint start = Checkpoint.builder("run-1").export("p/", "https://x.test/e", T0).build();
    assertThat(start.currentFile()).isNull();
    assertThat(start.currentLine()).isZero();

    Checkpoint reading = start.atLine("part-1.txt", 500);
    assertThat(reading.currentFile()).isEqualTo("part-1.txt");
    assertThat(reading.currentLine()).isEqualTo(500);
    assertThat(reading.exportUrl()).isEqualTo("https://x.test/e");

    Checkpoint done = reading.withCompletedFile("part-1.txt").withCompletedFile("part-1.txt");
    assertThat(done.completedFiles()).containsExactly("part-1.txt");
    assertThat(done.isCompleted("part-1.txt")).isTrue();
    assertThat(done.isCompleted("part-2.txt")).isFalse();
    assertThat(done.currentFile()).isNull();
    assertThat(done.toBuilder().build()).isEqualTo(done);
  }

  @Test
  void aCheckpointCopiesItsCollections() {
    List<String> files = new ArrayList<>(List.of("a"));
    Map<String, String> attributes = new HashMap<>(Map.of("k", "v"));
    Checkpoint checkpoint = new Checkpoint("r", null, null, null, files, null, 0, attributes);
    files.add("b");
    attributes.put("x", "y");
    assertThat(checkpoint.completedFiles()).containsExactly("a");
    assertThat(checkpoint.attributes()).isEqualTo(Map.of("k", "v"));
    assertThat(new Checkpoint("r", null, null, null, null, null, 0, null).completedFiles())
        .isEmpty();
    assertThatThrownBy(() -> start().position("f", -1).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Checkpoint.Builder start() {
    return Checkpoint.builder("r");
  }

  @Test
  void anActivityRecordKeepsABoundedSampleOfRejections() {
    List<Rejection> many =
        IntStream.range(0, 250).mapToObj(i -> new Rejection("bad " + i, "f:" + i)).toList();
    ActivityRecord record =
        new ActivityRecord(
            "id",
            ActivityRecord.CATEGORY_BRAZE,
            Flow.CURRENTS,
            "currents",
            T0,
            T0,
            Status.PARTIAL,
            ActivityCounts.builder().rejected(250).build(),
            many);
    assertThat(record.rejections()).hasSize(ActivityRecord.MAX_REJECTIONS);
    assertThat(record.rejections().get(0)).isEqualTo(new Rejection("bad 0", "f:0"));
    assertThat(record.counts().rejected()).isEqualTo(250);
  }

  @Test
  void activityCountsStartAtZero() {
    assertThat(ActivityCounts.empty())
        .isEqualTo(new ActivityCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of()));
    assertThat(ActivityCounts.builder().other("queued", 3).build().other())
        .isEqualTo(Map.of("queued", 3L));
  }

  @Test
  void ledgerTransitionsNeverReopenASend() {
    for (LedgerState outcome : List.of(LedgerState.SENT, LedgerState.FAILED, LedgerState.UNKNOWN)) {
      assertThat(LedgerState.PENDING.canBecome(outcome)).isTrue();
      assertThat(LedgerState.UNKNOWN.canBecome(outcome)).isTrue();
    }
    assertThat(LedgerState.SENT.canBecome(LedgerState.SENT)).isTrue();
    assertThat(LedgerState.SENT.canBecome(LedgerState.FAILED)).isFalse();
    assertThat(LedgerState.SENT.canBecome(LedgerState.UNKNOWN)).isFalse();
    assertThat(LedgerState.FAILED.canBecome(LedgerState.SENT)).isFalse();
    assertThat(LedgerState.PENDING.canBecome(LedgerState.PENDING)).isFalse();
    assertThat(LedgerState.FAILED.mayHaveBeenSent()).isFalse();
    assertThat(LedgerState.UNKNOWN.mayHaveBeenSent()).isTrue();
  }

  @Test
  void theOutboxMeasuresPayloadsInUtf8() {
    assertThat(new OutboxMessage("id", "aé😀", T0).sizeInBytes()).isEqualTo(1 + 2 + 4);
  }

  @Test
  void requiredValuesAreChecked() {
    assertThatThrownBy(() -> new IdentityRecord(null, "e", Map.of(), T0))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new OutboxMessage("id", null, T0))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new MembershipChange(-1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new StateStoreException(null, "m", null).path()).isEmpty();
  }
}
