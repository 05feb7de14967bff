package io.github.brazeodp.sync.segments;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.Sleeper;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small Braze + ODP world on a hand-moved clock, for segment sync tests. */
final class World {
  static final Instant T0 = Instant.parse("2026-11-29T02:00:00Z");
  private static final JsonAdapter<ExportedUser> USER =
      new Moshi.Builder().build().adapter(ExportedUser.class);

  final MutableClock clock = new MutableClock(T0);
  final List<Duration> sleeps = new ArrayList<>();
  final Sleeper sleeper =
      d -> {
        sleeps.add(d);
        clock.advance(d);
      };
  final InMemoryBraze braze = new InMemoryBraze(clock, sleeper, TrackLimit.COMBINED_50);
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

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
