package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.accepted;
import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class ProfilesServiceTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  @Test
  void upsertPutsIdentifiersInsideAttributes() throws Exception {
    server.enqueue(accepted());

    BatchResult result =
        t.client()
            .profiles()
            .upsert(
                List.of(
                    ProfileUpdate.builder()
                        .identifier("email", "sample@test.com")
                        .attribute("first_name", "Johnny")
                        .attribute("dob_year", 1990)
                        .attribute("phone", null)
                        .build()));

    assertThat(result.allAccepted()).isTrue();
    RecordedRequest r = t.take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/v3/profiles");
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(TestSupport.KEY);
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(r.getBody().utf8())
        .isEqualTo(
            "[{\"attributes\":{\"first_name\":\"Johnny\",\"dob_year\":1990,\"phone\":null,"
                + "\"email\":\"sample@test.com\"}}]");
  }

  @Test
  void upsertRejectsAnAttributeThatContradictsAnIdentifier() {
    ProfileUpdate bad =
        ProfileUpdate.builder()
            .identifier("email", "a@b.c")
            .attribute("email", "other@b.c")
            .build();

    assertThatThrownBy(() -> t.client().profiles().upsert(List.of(bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("profiles[0].attributes.email: conflicts with identifier email");
    assertThatThrownBy(() -> t.client().profiles().upsert(List.of(new ProfileUpdate(null, null))))
        .hasMessage("profiles[0].identifiers: at least one identifier is required");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void getSendsOneIdentifierAsQueryAndDecodesAttributes() throws Exception {
    server.enqueue(
        json(202, "{\"attributes\":{\"email\":\"a@b.c\",\"first_name\":\"Ann\",\"orders\":3}}"));

    OdpProfile profile = t.client().profiles().get("email", "a+1@b.c").orElseThrow();

    assertThat(profile.string("first_name")).contains("Ann");
    assertThat(profile.attribute("orders")).contains(3.0);
    RecordedRequest r = t.take();
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v3/profiles");
    assertThat(r.getUrl().queryParameter("email")).isEqualTo("a+1@b.c");
    assertThat(r.getUrl().querySize()).isEqualTo(1);
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(TestSupport.KEY);
  }

  @Test
  void getReturnsEmptyOn404() {
    server.enqueue(
        json(
            404,
            "{\"title\":\"Not Found\",\"status\":404,\"detail\":{\"message\":\"no customer\"}}"));

    assertThat(t.client().profiles().get("email", "nobody@b.c")).isEmpty();
  }

  @Test
  void profilesArePacedAtTenRequestsPerSecondAcrossCalls() {
    for (int i = 0; i < 6; i++) {
      server.enqueue(accepted());
    }
    OdpClient client =
        t.builder().batching(BatchSettings.builder().maxItems(1).maxInFlight(1).build()).build();
    List<ProfileUpdate> updates = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      updates.add(ProfileUpdate.builder().identifier("email", i + "@b.c").build());
    }

    client.profiles().upsert(updates);
    client.profiles().upsert(updates.subList(0, 1));

    // The first request goes at once; each later one waits for its slot, 1/9.5 s apart (95 %).
    assertThat(t.sleeper.sleeps())
        .containsExactlyElementsOf(Collections.nCopies(5, Duration.ofNanos(105_263_158)));
    assertThat(server.getRequestCount()).isEqualTo(6);
  }

  @Test
  void a429SlowsThePacerWhichHonoursRetryAfterThenRecovers() {
    server.enqueue(
        new MockResponse.Builder().code(429).addHeader("Retry-After", "1").body("{}").build());
    for (int i = 0; i < 3; i++) {
      server.enqueue(accepted());
    }
    OdpClient client =
        t.builder().batching(BatchSettings.builder().maxItems(1).maxInFlight(1).build()).build();
    List<ProfileUpdate> updates = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      updates.add(ProfileUpdate.builder().identifier("email", i + "@b.c").build());
    }

    assertThat(client.profiles().upsert(updates).allAccepted()).isTrue();

    long fastest = 105_263_158;
    assertThat(t.sleeper.sleeps())
        .containsExactly(
            // The retry waits out Retry-After; the pacer holds every slot until then too.
            Duration.ofSeconds(1),
            // Then slots are spaced for 80 % of the rate, winning back 2 % per success.
            Duration.ofNanos(Math.round(fastest / 0.8)),
            Duration.ofNanos(Math.round(fastest / (0.8 + 0.02))));
    assertThat(server.getRequestCount()).isEqualTo(4);
  }

  @Test
  void aThreadThatWakesLateKeepsItsSlot() {
    for (int i = 0; i < 2; i++) {
      server.enqueue(accepted());
    }
    List<Duration> sleeps = new ArrayList<>();
    // The first wait overshoots by 60 ms, more than half of the 105 ms interval.
    Sleeper oversleeping =
        d -> {
          sleeps.add(d);
          t.clock.advance(sleeps.size() == 1 ? d.plusMillis(60) : d);
        };
    OdpClient client =
        t.builder()
            .sleeper(oversleeping)
            .batching(BatchSettings.builder().maxItems(1).maxInFlight(1).build())
            .build();
    List<ProfileUpdate> updates =
        List.of(
            ProfileUpdate.builder().identifier("email", "a@b.c").build(),
            ProfileUpdate.builder().identifier("email", "d@e.f").build());

    assertThat(client.profiles().upsert(updates).allAccepted()).isTrue();

    // Slot 2 at 105 ms, woken at 165 ms: it goes at once (it used to wait for slot 3 at 210.5 ms);
    // one second's window is far from full, so the pacer does not hold it either.
    assertThat(sleeps).containsExactly(Duration.ofNanos(105_263_158));
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void eventsAreUnlimitedByDefaultButCanBePaced() {
    for (int i = 0; i < 6; i++) {
      server.enqueue(accepted());
    }
    List<OdpEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(OdpEvent.builder("t", "a").identifier("email", i + "@b.c").build());
    }
    BatchSettings oneEach = BatchSettings.builder().maxItems(1).maxInFlight(1).build();

    t.builder().batching(oneEach).build().events().send(events);
    assertThat(t.sleeper.sleeps()).isEmpty();

    t.builder()
        .batching(oneEach)
        .rateLimits(RateLimits.defaults().with(OdpApi.EVENTS, 4))
        .build()
        .events()
        .send(events);
    // 4 requests/s with 5 % headroom: 1/3.8 s apart.
    assertThat(t.sleeper.sleeps())
        .containsExactly(Duration.ofNanos(263_157_895), Duration.ofNanos(263_157_895));
  }
}
