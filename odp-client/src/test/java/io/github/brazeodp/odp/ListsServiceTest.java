package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class ListsServiceTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  @Test
  void listsDecodesListsAndIgnoresUnknownFields() throws Exception {
    server.enqueue(
        json(
            202,
            "{\"lists\":[{\"name\":\"Example List\",\"created_at\":\"2018-09-10T21:07:10+00:00\","
                + "\"list_id\":\"example_list\",\"extra\":1}],\"more\":true}"));

    List<OdpList> lists = t.client().lists().list();

    assertThat(lists)
        .containsExactly(
            new OdpList("example_list", "Example List", Instant.parse("2018-09-10T21:07:10Z")));
    RecordedRequest r = t.take();
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getTarget()).isEqualTo("/v3/lists");
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(TestSupport.KEY);
  }

  @Test
  void createPostsTheName() throws Exception {
    server.enqueue(json(200, "{\"created\":{\"list_id\":\"my_list\",\"name\":\"My List\"}}"));

    OdpList created = t.client().lists().create("My List");

    assertThat(created.listId()).isEqualTo("my_list");
    assertThat(created.createdAt()).isNull();
    RecordedRequest r = t.take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/v3/lists");
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(r.getBody().utf8()).isEqualTo("{\"name\":\"My List\"}");
  }

  @Test
  void subscribeAndUnsubscribeSendArraysOfChanges() throws Exception {
    server.enqueue(json(202, "{\"updates\":[]}"));
    server.enqueue(json(202, "{\"updates\":[]}"));
    OdpClient client = t.client();

    assertThat(client.lists().subscribe("newsletter", List.of("a@b.c", "d@e.f")).allAccepted())
        .isTrue();
    client.lists().unsubscribe("newsletter", List.of("a@b.c"));

    RecordedRequest sub = t.take();
    assertThat(sub.getMethod()).isEqualTo("POST");
    assertThat(sub.getTarget()).isEqualTo("/v3/lists/subscriptions");
    assertThat(sub.getBody().utf8())
        .isEqualTo(
            "[{\"list_id\":\"newsletter\",\"email\":\"a@b.c\",\"subscribed\":true},"
                + "{\"list_id\":\"newsletter\",\"email\":\"d@e.f\",\"subscribed\":true}]");
    assertThat(t.take().getBody().utf8())
        .isEqualTo("[{\"list_id\":\"newsletter\",\"email\":\"a@b.c\",\"subscribed\":false}]");
  }

  @Test
  void subscriptionRowsAreValidated() {
    assertThatThrownBy(() -> t.client().lists().subscribe("newsletter", List.of("a@b.c", " ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("subscriptions[1].identifierValue: must not be blank");
    assertThat(server.getRequestCount()).isZero();
  }
}
