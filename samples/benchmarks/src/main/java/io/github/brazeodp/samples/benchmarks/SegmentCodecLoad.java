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
import io.github.brazeodp.sync.mapping.CustomerSchema;
import io.github.brazeodp.sync.mapping.FieldKind;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.mapping.MappedCustomer;
import io.github.brazeodp.sync.port.ExportHandle;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The codec alone on the data of {@link SegmentSyncLoad}: the same generated export ZIP is read and
 * parsed, each user mapped with the default rules and encoded as ODP profile JSON by the client's
 * own encoder. No state, no network: the ceiling the segment sync is measured against (goal 1).
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.SegmentCodecLoad [users]</pre>
 */
public final class SegmentCodecLoad {
  private SegmentCodecLoad() {}

  public static void main(String[] args) {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    pass(users);
  }

  /** Runs one codec pass over {@code users} generated users; prints and returns users/s. */
  static double pass(int users) {
    InMemoryBraze braze =
        new InMemoryBraze(Clock.systemUTC(), Sleeper.system(), TrackLimit.COMBINED_50);
    braze.putGeneratedSegment("seg-load", "Load test", users, SegmentSyncLoad::user);
    // The rules bound to the ODP schema exactly as SegmentSync.validate binds them.
    Map<String, FieldKind> kinds = new LinkedHashMap<>();
    for (SchemaField f : new InMemoryOdp().customerFields()) {
      kinds.put(f.name(), FieldKind.fromOdpType(f.type() == null ? null : f.type().name()));
    }
    IdentityRule identity = IdentityRule.defaults().followingMappings(FieldMappings.defaults());
    Set<String> identifiers = new LinkedHashSet<>(List.of("email", "phone", "vuid", "zaius_id"));
    identifiers.addAll(identity.odpIdentifiers());
    FieldMappings rules =
        FieldMappings.defaults().validate(new CustomerSchema(kinds, identifiers), true).mappings();
    Set<String> fields = new LinkedHashSet<>(rules.fieldsToExport());
    fields.addAll(identity.brazeFields());
    fields.addAll(List.of("braze_id", "external_id", "custom_events"));
    ExportSegmentRequest request = ExportSegmentRequest.of("seg-load", List.copyOf(fields));
    List<String> custom = rules.customAttributesToExport();
    if (!custom.isEmpty() && !fields.contains("custom_attributes")) {
      request = request.withCustomAttributes(custom);
    }
    ExportHandle handle = braze.startSegmentExport(request);
    braze.awaitExport(handle, Instant.now().plusSeconds(60));
    ProfileCodec codec = new ProfileCodec();
    long start = System.nanoTime();
    long read = 0;
    long bytes = 0;
    ExportPosition last = null;
    try (ExportUserStream stream = braze.openExport(handle, ExportReadOptions.defaults())) {
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
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = read / seconds;
    System.out.printf(
        "codec read=%d encodedBytes=%d lastPosition=%s seconds=%.1f usersPerSecond=%.0f%n",
        read, bytes, last, seconds, rate);
    return rate;
  }
}
