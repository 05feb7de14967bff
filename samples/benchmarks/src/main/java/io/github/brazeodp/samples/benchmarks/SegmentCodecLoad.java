package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.braze.ExportPosition;
import io.github.brazeodp.braze.ExportReadOptions;
import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.braze.ExportUserStream;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.Sleeper;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.ProfileCodec;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.internal.SegmentEvents;
import io.github.brazeodp.sync.mapping.CustomerSchema;
import io.github.brazeodp.sync.mapping.FieldKind;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.mapping.MappedCustomer;
import io.github.brazeodp.sync.port.ExportHandle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The codec alone on the data of {@link SegmentSyncLoad}: the same export ZIP is read and parsed,
 * each user mapped with the default rules and encoded by the client's own encoder as the ODP JSON a
 * first run sends: the profile, each custom event and the segment entry. No state, no network: the
 * ceiling the segment sync is measured against (goal 1). The archive is built before the clock
 * starts, as the sync's is: producing it is Braze's work.
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.SegmentCodecLoad [users]</pre>
 */
public final class SegmentCodecLoad {
  static final String SEGMENT_ID = "seg-load";
  static final String SEGMENT_NAME = "Load test";

  /** One codec pass: its rate, and the rows and JSON bytes it encoded. */
  record Pass(double usersPerSecond, long rows, long bytes) {}

  private SegmentCodecLoad() {}

  public static void main(String[] args) throws IOException {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path dir = Files.createTempDirectory("segment-codec-load");
    Path zip = archive(users, SegmentSyncLoad::user, dir.resolve("export.zip"));
    try {
      pass(zip);
    } finally {
      Files.deleteIfExists(zip);
      Files.deleteIfExists(dir);
    }
  }

  /** The rules bound to the ODP schema exactly as SegmentSync.validate binds them. */
  private static FieldMappings rules() {
    Map<String, FieldKind> kinds = new LinkedHashMap<>();
    for (SchemaField f : new InMemoryOdp().customerFields()) {
      kinds.put(f.name(), FieldKind.fromOdpType(f.type() == null ? null : f.type().name()));
    }
    Set<String> identifiers = new LinkedHashSet<>(List.of("email", "phone", "vuid", "zaius_id"));
    identifiers.addAll(identity().odpIdentifiers());
    return FieldMappings.defaults()
        .validate(new CustomerSchema(kinds, identifiers), true)
        .mappings();
  }

  private static IdentityRule identity() {
    return IdentityRule.defaults().followingMappings(FieldMappings.defaults());
  }

  /**
   * Writes the export ZIP of {@code users} generated users to {@code file}, with the fields the
   * segment sync asks for, as the in-memory Braze produces it.
   */
  static Path archive(int users, IntFunction<ExportedUser> generator, Path file)
      throws IOException {
    FieldMappings rules = rules();
    Set<String> fields = new LinkedHashSet<>(rules.fieldsToExport());
    fields.addAll(identity().brazeFields());
    fields.addAll(List.of("braze_id", "external_id", "custom_events"));
    ExportSegmentRequest request = ExportSegmentRequest.of(SEGMENT_ID, List.copyOf(fields));
    List<String> custom = rules.customAttributesToExport();
    if (!custom.isEmpty() && !fields.contains("custom_attributes")) {
      request = request.withCustomAttributes(custom);
    }
    InMemoryBraze braze =
        new InMemoryBraze(Clock.systemUTC(), Sleeper.system(), TrackLimit.COMBINED_50);
    braze.putGeneratedSegment(SEGMENT_ID, SEGMENT_NAME, users, generator);
    ExportHandle handle = braze.startSegmentExport(request);
    braze.awaitExport(handle, Instant.now().plusSeconds(60));
    try (InputStream in = braze.openExportArchive(handle.objectPrefix())) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  /** Runs one codec pass over the export ZIP at {@code archive}; prints and returns it. */
  static Pass pass(Path archive) throws IOException {
    FieldMappings rules = rules();
    IdentityRule identity = identity();
    ProfileCodec codec = new ProfileCodec();
    long start = System.nanoTime();
    long read = 0;
    long bytes = 0;
    long rows = 0;
    int events = 0;
    Instant runStart = Instant.now();
    String runId = java.util.UUID.randomUUID().toString();
    ExportPosition last = null;
    try (ExportUserStream stream =
        ExportUserStream.open(
            Files.newInputStream(archive),
            archive.getFileName().toString(),
            ExportReadOptions.defaults())) {
      int index = 0;
      while (stream.hasNext()) {
        ExportedUser u = stream.next();
        last = stream.position();
        read++;
        Map<String, String> ids = identity.identifiers(u);
        if (ids.isEmpty()) {
          continue;
        }
        MappedCustomer mapped = rules.apply(u);
        Map<String, Object> attributes = new LinkedHashMap<>(mapped.attributes());
        ids.keySet().forEach(attributes::remove);
        bytes += codec.encode(index++ % 500, new ProfileUpdate(ids, attributes)).length;
        rows++;
        // The ODP JSON of a first run has more than the profile: each custom event of the user
        // and its segment entry, built by the sync's own code and encoded by the client's.
        for (ExportedUser.Activity e : u.customEvents()) {
          Instant at = SegmentEvents.parseTime(e.last());
          if (e.name() != null && at != null) {
            bytes +=
                codec.encode(
                        events++ % 500,
                        SegmentEvents.customEvent(rules.prefix(), u.brazeId(), ids, e, at))
                    .length;
            rows++;
          }
        }
        bytes +=
            codec.encode(
                    events++ % 500,
                    SegmentEvents.membership(
                        rules.prefix(),
                        "segment_entered",
                        SEGMENT_ID,
                        SEGMENT_NAME,
                        u.brazeId(),
                        ids,
                        runStart,
                        runId))
                .length;
        rows++;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = read / seconds;
    System.out.printf(
        "codec read=%d rows=%d encodedBytes=%d lastPosition=%s seconds=%.1f usersPerSecond=%.0f%n",
        read, rows, bytes, last, seconds, rate);
    return new Pass(rate, rows, bytes);
  }
}
