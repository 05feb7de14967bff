package io.github.brazeodp.sync.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportFilter;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.odp.OdpBadRequestException;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpNotFoundException;
import io.github.brazeodp.odp.OdpServerException;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.RowError;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.fake.Fault;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link OdpGateway} must do, checked against the fake directly and against the real
 * adapter talking HTTP to the wire stand-in over the same kind of fake.
 */
abstract class OdpGatewayContractTest {
  static final Instant T0 = Instant.parse("2026-11-29T02:00:00Z");

  final TestTime time = new TestTime(T0);
  InMemoryOdp odp;
  OdpGateway gateway;

  /** Returns the gateway under test, serving {@code fake}'s state. */
  abstract OdpGateway connect(InMemoryOdp fake) throws Exception;

  /** Releases what {@link #connect} opened. */
  void disconnect() throws Exception {}

  @BeforeEach
  void setUp() throws Exception {
    odp = new InMemoryOdp().putField("_braze_tier", FieldType.STRING);
    odp.putSegment("has_first_name", c -> c.get("first_name") != null);
    odp.putCustomer(Map.of("email", "seeded@example.com", "first_name", "Seeded"));
    odp.putCustomer(Map.of("email", "anon@example.com"));
    gateway = connect(odp);
  }

  @AfterEach
  void tearDown() throws Exception {
    disconnect();
  }

  private static ProfileUpdate profile(String email, String field, Object value) {
    return ProfileUpdate.builder().identifier("email", email).attribute(field, value).build();
  }

  @Test
  void profilesAreUpsertedAndMerged() {
    BatchResult result =
        gateway.upsertProfiles(
            List.of(
                profile("ann@example.com", "first_name", "Ann"),
                profile("seeded@example.com", "_braze_tier", "gold")));
    assertThat(result.allAccepted()).isTrue();
    assertThat(result.size()).isEqualTo(2);
    assertThat(odp.customer("email", "ann@example.com")).containsEntry("first_name", "Ann");
    assertThat(odp.customer("email", "seeded@example.com"))
        .containsEntry("first_name", "Seeded")
        .containsEntry("_braze_tier", "gold");
  }

  @Test
  void rejectedProfilesAreReportedByIndexAndTheOthersAreUnconfirmedButStored() {
    BatchResult result =
        gateway.upsertProfiles(
            List.of(
                profile("a@example.com", "first_name", "A"),
                profile("b@example.com", "no_such_field", "B"),
                profile("c@example.com", "first_name", "C")));
    assertThat(result.status(1)).isEqualTo(RowStatus.REJECTED);
    assertThat(result.errors())
        .extracting(RowError::index, RowError::field)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "no_such_field"));
    assertThat(result.indexes(RowStatus.UNCONFIRMED)).containsExactly(0, 2);
    assertThat(odp.customer("email", "a@example.com")).isNotNull();
    assertThat(odp.customer("email", "b@example.com")).isNull();
  }

  @Test
  void textOverTheLimitIsARejectedRowNotAFailedCall() {
    BatchResult result =
        gateway.upsertProfiles(
            List.of(
                profile("long@example.com", "first_name", "x".repeat(2000)),
                profile("short@example.com", "first_name", "S")));
    assertThat(result.status(0)).isEqualTo(RowStatus.REJECTED);
    assertThat(result.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.index()).isZero();
              assertThat(e.field()).isEqualTo("first_name");
            });
    assertThat(result.status(1)).isNotEqualTo(RowStatus.REJECTED);
    assertThat(odp.customer("email", "short@example.com")).isNotNull();
  }

  @Test
  void eventsAreAcceptedAndDeduplicatedByIdempotenceId() {
    OdpEvent e1 = event("e1", "seeded@example.com");
    OdpEvent e2 = event("e2", "seeded@example.com");
    OdpEvent e3 = event("e3", "anon@example.com");
    assertThat(gateway.sendEvents(List.of(e1, e2)).allAccepted()).isTrue();
    assertThat(gateway.sendEvents(List.of(e1, e3)).allAccepted()).isTrue();
    assertThat(odp.events()).extracting(OdpEvent::idempotenceId).containsExactly("e1", "e2", "e3");
    OdpEvent stored = odp.events().get(0);
    assertThat(stored.type()).isEqualTo("braze");
    assertThat(stored.action()).isEqualTo("segment_entered");
    assertThat(stored.identifiers()).containsEntry("email", "seeded@example.com");
    assertThat(stored.data()).containsEntry("_braze_segment_id", "seg-1");
    assertThat(stored.ts()).isEqualTo(T0);
  }

  @Test
  void eventsWithoutAKnownIdentifierAreRejectedByIndex() {
    OdpEvent unknown =
        OdpEvent.builder("braze", "segment_entered")
            .identifier("loyalty_card_id", "L1")
            .idempotenceId("bad")
            .build();
    BatchResult result = gateway.sendEvents(List.of(event("ok", "seeded@example.com"), unknown));
    assertThat(result.status(1)).isEqualTo(RowStatus.REJECTED);
    assertThat(result.errors()).extracting(RowError::index).containsExactly(1);
    assertThat(odp.events()).extracting(OdpEvent::idempotenceId).containsExactly("ok");
  }

  @Test
  void serverErrorsThatOutlastTheRetriesFailTheCall() {
    odp.failNext(InMemoryOdp.Operation.SEND_EVENTS, 3, Fault.SERVER_ERROR);
    assertThatThrownBy(() -> gateway.sendEvents(List.of(event("x", "seeded@example.com"))))
        .isInstanceOf(OdpServerException.class);
  }

  @Test
  void customerFieldsAreListedAndCreatedOnce() {
    assertThat(gateway.customerFields())
        .extracting(SchemaField::name)
        .contains("email", "first_name", "_braze_tier");
    SchemaField created =
        gateway.createCustomerField(SchemaField.of("loyalty_points", FieldType.NUMBER, "Points"));
    assertThat(created.name()).isEqualTo("loyalty_points");
    assertThat(created.type()).isEqualTo(FieldType.NUMBER);
    assertThat(gateway.customerFields()).extracting(SchemaField::name).contains("loyalty_points");
    assertThatThrownBy(
            () ->
                gateway.createCustomerField(
                    SchemaField.of("loyalty_points", FieldType.NUMBER, "Points")))
        .isInstanceOf(OdpBadRequestException.class);
  }

  @Test
  void segmentMembersAreStreamedWithTheRequestedFields() {
    List<ExportRow> rows;
    try (Stream<ExportRow> s =
        gateway.segmentMembers("has_first_name", List.of("customer.email", "customer.phone"))) {
      rows = s.toList();
    }
    assertThat(rows)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.get("customer.email")).isEqualTo("seeded@example.com");
              assertThat(r.get("customer.phone")).isEmpty();
              assertThat(r.rowNumber()).isEqualTo(1);
            });
  }

  @Test
  void anUnknownSegmentIsABadRequest() {
    assertThatThrownBy(() -> gateway.segmentMembers("nope", List.of("customer.email")).close())
        .isInstanceOf(OdpBadRequestException.class);
  }

  private static OdpEvent event(String id, String email) {
    return OdpEvent.builder("braze", "segment_entered")
        .identifier("email", email)
        .data("_braze_segment_id", "seg-1")
        .ts(T0)
        .idempotenceId(id)
        .build();
  }

  // ---- events export (OdpEventExport) ------------------------------------------------------

  private OdpEventExport events() {
    return (OdpEventExport) gateway;
  }

  private void seedEvents() {
    odp.putEvent(
        OdpEvent.builder("order", "purchase")
            .identifier("email", "ann@example.com")
            .data("order_id", "o-1")
            .data("total", 42.5)
            .ts(T0)
            .idempotenceId("ev-1")
            .build());
    odp.putEvent(
        OdpEvent.builder("order", "refund")
            .identifier("email", "ann@example.com")
            .data("order_id", "o-1")
            .ts(T0.plusSeconds(60))
            .idempotenceId("ev-2")
            .build());
    odp.putEvent(
        OdpEvent.builder("pageview", "view")
            .identifier("email", "bob@example.com")
            .ts(T0.plusSeconds(120))
            .idempotenceId("ev-3")
            .build());
  }

  @Test
  void eventsExportAppliesTheTypedFilterAndReturnsEveryField() {
    seedEvents();
    ExportFilter filter =
        ExportFilter.and(
            ExportFilter.clause(OdpEventExport.EVENT_TYPE, ExportFilter.Operator.EQUALS, "order"),
            ExportFilter.clause(
                OdpEventExport.TS, ExportFilter.Operator.GREATER_THAN, T0.getEpochSecond()));

    List<ExportRow> rows;
    try (Stream<ExportRow> stream = events().exportEvents(filter, List.of("*"))) {
      rows = stream.toList();
    }

    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).values())
        .containsEntry("event_type", "order")
        .containsEntry("action", "refund")
        .containsEntry("ts", String.valueOf(T0.getEpochSecond() + 60))
        .containsEntry("idempotence_id", "ev-2")
        .containsEntry("email", "ann@example.com")
        .containsEntry("order_id", "o-1")
        .containsEntry("total", "");
  }

  @Test
  void eventsExportOrAndWildcard() {
    seedEvents();
    ExportFilter filter =
        ExportFilter.or(
            ExportFilter.clause("action", ExportFilter.Operator.EQUALS, "pur%"),
            ExportFilter.clause("email", ExportFilter.Operator.EQUALS, "bob@example.com"));

    List<String> ids;
    try (Stream<ExportRow> stream =
        events().exportEvents(filter, List.of("idempotence_id", "action"))) {
      ids = stream.map(r -> r.get("idempotence_id")).sorted().toList();
    }

    assertThat(ids).containsExactly("ev-1", "ev-3");
  }

  @Test
  void eventsExportOfAnUnknownFieldIsNotFound() {
    seedEvents();
    assertThatThrownBy(
            () ->
                events()
                    .exportEvents(
                        ExportFilter.clause("nope", ExportFilter.Operator.EQUALS, "x"),
                        List.of("*"))
                    .close())
        .isInstanceOf(OdpNotFoundException.class)
        .hasMessageContaining("events.nope");
  }

  @Test
  void eventFieldsListTheBuiltInsIdentifiersAndDataFields() {
    seedEvents();
    assertThat(events().eventFields())
        .extracting(SchemaField::name)
        .contains("event_type", "action", "ts", "idempotence_id", "email", "order_id", "total");
  }
}
