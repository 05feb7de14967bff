package io.github.brazeodp.sync.segments;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small Braze + ODP world on a hand-moved clock, for segment sync tests. */
final class World {
  static final Instant T0 = Instant.parse("2026-11-29T02:00:00Z");
  private static final JsonAdapter<ExportedUser> USER =
      new Moshi.Builder().build().adapter(ExportedUser.class);

  final ManualClock clock = new ManualClock(T0);
  final InMemoryBraze braze = new InMemoryBraze(clock, clock, TrackLimit.COMBINED_50);
  final InMemoryOdp odp = new InMemoryOdp();
  SyncStateStore state = SyncStateStore.inMemory();

  SegmentSync.Builder sync(Selection selection) {
    return SegmentSync.builder()
        .braze(braze)
        .odp(odp)
        .state(state)
        .selection(selection)
        .createMissingFields(true)
        .clock(clock);
  }

  static ExportedUser user(String brazeId, String email, Object... more) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("braze_id", brazeId);
    map.put("external_id", "ext-" + brazeId);
    if (email != null) {
      map.put("email", email);
    }
    for (int i = 0; i < more.length; i += 2) {
      map.put((String) more[i], more[i + 1]);
    }
    return USER.fromJsonValue(map);
  }

  /** Adds {@code n} users u0..u(n-1) and a segment holding them. */
  World segmentOf(String id, String name, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      braze.putUser(user("u" + i, "user" + i + "@example.com", "first_name", "User" + i));
      ids.add("u" + i);
    }
    braze.putSegment(id, name, ids);
    return this;
  }
}
