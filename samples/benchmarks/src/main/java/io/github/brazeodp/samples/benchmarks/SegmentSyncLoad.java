package io.github.brazeodp.samples.benchmarks;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.Sleeper;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.segments.SegmentSync;
import io.github.brazeodp.sync.segments.Selection;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Load sample: syncs a generated segment of 1,000,000 users from the in-memory Braze into an ODP
 * stand-in that only counts, with the SQLite state store, then repeats the run with no change. Run
 * it with {@code -Xmx128m} to show that neither the export nor the diff state sits in memory.
 *
 * <pre>java -Xmx128m -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.SegmentSyncLoad [users]</pre>
 */
public final class SegmentSyncLoad {
  private static final JsonAdapter<ExportedUser> USER =
      new Moshi.Builder().build().adapter(ExportedUser.class);

  private SegmentSyncLoad() {}

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("segment-sync-load");
    Path db = dir.resolve("state.db");
    InMemoryBraze braze =
        new InMemoryBraze(Clock.systemUTC(), Sleeper.system(), TrackLimit.COMBINED_50);
    braze.putGeneratedSegment("seg-load", "Load test", users, SegmentSyncLoad::user);
    CountingOdp odp = new CountingOdp();
    try {
      for (int run = 1; run <= 2; run++) {
        resetPeaks();
        long start = System.nanoTime();
        SyncReport report;
        try (SyncStateStore state = SyncStateStore.sqlite(db)) {
          report =
              SegmentSync.builder()
                  .braze(braze)
                  .odp(odp)
                  .state(state)
                  .selection(Selection.all())
                  .createMissingFields(true)
                  .build()
                  .run();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "run=%d status=%s read=%d sent=%d unchanged=%d profilesUpserted=%d events=%d"
                + " seconds=%.1f usersPerSecond=%.0f peakHeapMiB=%.1f maxHeapMiB=%.0f%n",
            run,
            report.status(),
            report.counts().read(),
            report.counts().sent(),
            report.counts().unchanged(),
            odp.profiles.get(),
            odp.events.get(),
            seconds,
            report.counts().read() / seconds,
            peakHeapMiB(),
            Runtime.getRuntime().maxMemory() / 1048576.0);
      }
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  static ExportedUser user(int i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("braze_id", "b" + i);
    m.put("external_id", "user-" + i);
    m.put("email", "user" + i + "@example.com");
    m.put("first_name", "Jane");
    m.put("last_name", "Doe" + i);
    m.put("home_city", "Chicago");
    m.put("country", "US");
    m.put("gender", i % 2 == 0 ? "F" : "M");
    m.put("dob", "1980-12-21");
    m.put(
        "custom_events",
        List.of(
            Map.of(
                "name", "opened_app",
                "first", "2026-01-01T00:00:00.000Z",
                "last", "2026-11-01T00:00:00.000Z",
                "count", 3)));
    return USER.fromJsonValue(m);
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  private static double peakHeapMiB() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak / 1048576.0;
  }

  /** Accepts everything and only counts, so the load is on the sync, not on a stand-in. */
  private static final class CountingOdp implements OdpGateway {
    final AtomicLong profiles = new AtomicLong();
    final AtomicLong events = new AtomicLong();
    private final List<SchemaField> fields = Collections.synchronizedList(new ArrayList<>());

    CountingOdp() {
      fields.addAll(new InMemoryOdp().customerFields());
    }

    @Override
    public BatchResult upsertProfiles(List<ProfileUpdate> updates) {
      profiles.addAndGet(updates.size());
      return BatchResult.of(Collections.nCopies(updates.size(), RowStatus.ACCEPTED), List.of(), 1);
    }

    @Override
    public BatchResult sendEvents(List<OdpEvent> batch) {
      events.addAndGet(batch.size());
      return BatchResult.of(Collections.nCopies(batch.size(), RowStatus.ACCEPTED), List.of(), 1);
    }

    @Override
    public List<SchemaField> customerFields() {
      return List.copyOf(fields);
    }

    @Override
    public SchemaField createCustomerField(SchemaField field) {
      fields.add(field);
      return field;
    }

    @Override
    public Stream<ExportRow> segmentMembers(String segment, List<String> wanted) {
      return Stream.empty();
    }
  }
}
