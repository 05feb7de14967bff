package io.github.brazeodp.samples.boot;

import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.BrazeInstance;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpRegion;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.adapter.BrazeClientGateway;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.mapping.FieldMapping;
import io.github.brazeodp.sync.mapping.FieldMappings;
import io.github.brazeodp.sync.mapping.Transform;
import io.github.brazeodp.sync.metrics.SyncMetrics;
import io.github.brazeodp.sync.port.BrazeGateway;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.segments.Selection;
import io.github.brazeodp.sync.state.SyncStateStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The SDK's objects as beans. Spring closes the clients, the store and the forwarder (which flushes
 * its outbox first) in reverse dependency order at shutdown.
 */
@Configuration(proxyBeanMethods = false)
public class SdkConfiguration {
  private final SyncProperties properties;
  private final Environment environment;

  SdkConfiguration(SyncProperties properties, Environment environment) {
    this.properties = properties;
    this.environment = environment;
  }

  /**
   * The SDK's meters in Boot's registry, so Actuator shows them at {@code /actuator/metrics} and
   * {@code /actuator/prometheus}: every HTTP attempt and wait of both clients, the runs, the
   * outbox.
   */
  @Bean
  SyncMetrics syncMetrics(MeterRegistry registry, SyncStateStore store) {
    SyncMetrics metrics = SyncMetrics.micrometer(registry);
    metrics.bindOutbox(store);
    return metrics;
  }

  @Bean
  BrazeClient brazeClient(SyncMetrics metrics) {
    SyncProperties.Braze b = properties.braze();
    String baseUrl = b.baseUrl();
    if (baseUrl == null) {
      String instance = b.instance().toUpperCase(Locale.ROOT).replace('-', '_');
      baseUrl = oneOf("braze-odp.braze.instance", instance, BrazeInstance.class).restUrl();
    }
    return BrazeClient.builder()
        .apiKey(secret("braze-odp.braze.api-key-env", b.apiKeyEnv()))
        .baseUrl(baseUrl)
        .trackLimit(trackLimit(b.trackLimit()))
        .eventListener(metrics.brazeListener())
        .build();
  }

  @Bean
  OdpClient odpClient(SyncMetrics metrics) {
    SyncProperties.Odp o = properties.odp();
    OdpClient.Builder builder =
        OdpClient.builder()
            .apiKey(secret("braze-odp.odp.api-key-env", o.apiKeyEnv()))
            .eventListener(metrics.odpListener());
    if (o.baseUrl() != null) {
      builder.baseUrl(o.baseUrl());
    } else if (o.region() != null) {
      builder.region(
          oneOf("braze-odp.odp.region", o.region().toUpperCase(Locale.ROOT), OdpRegion.class));
    }
    return builder.build();
  }

  @Bean
  SyncStateStore syncStateStore() {
    String file = properties.state().sqlite();
    return file == null ? SyncStateStore.inMemory() : SyncStateStore.sqlite(Path.of(file));
  }

  @Bean
  BrazeGateway brazeGateway(BrazeClient brazeClient) {
    return new BrazeClientGateway(brazeClient, Clock.systemUTC());
  }

  @Bean
  OdpGateway odpGateway(OdpClient odpClient) {
    return new OdpClientGateway(odpClient);
  }

  /** What the nightly job syncs; the sync itself is built per run from these. */
  @Bean
  SegmentSyncPlan segmentSyncPlan() {
    SyncProperties.SegmentSync s = properties.segmentSync();
    FieldMappings mappings = FieldMappings.defaults(s.prefix());
    if (s.mappings() != null) {
      for (String target : s.mappings().remove()) {
        mappings = mappings.remove(target);
      }
      List<SyncProperties.Rule> add = s.mappings().add();
      for (int i = 0; i < add.size(); i++) {
        mappings = mappings.add(rule("braze-odp.segment-sync.mappings.add[" + i + "]", add.get(i)));
      }
    }
    IdentityRule identity = IdentityRule.defaults();
    if (s.identity() != null && s.identity().externalIdIdentifier() != null) {
      identity = identity.withExternalIdAs(s.identity().externalIdIdentifier());
    }
    Selection selection =
        s.segments().equals(List.of("all")) ? Selection.all() : Selection.segments(s.segments());
    return new SegmentSyncPlan(
        s.segments().isEmpty() ? Selection.none() : selection,
        mappings,
        identity,
        s.createMissingFields(),
        s.batchSize(),
        s.concurrentExports());
  }

  @Bean(initMethod = "start", destroyMethod = "close")
  CurrentsForwarder currentsForwarder(OdpGateway odpGateway, SyncStateStore store) {
    return CurrentsForwarder.builder().odp(odpGateway).state(store).build();
  }

  @Bean
  CurrentsReceiver currentsReceiver(CurrentsForwarder forwarder, SegmentSyncPlan plan) {
    List<String> names = properties.currents().tokensEnv();
    if (names.isEmpty()) {
      throw new IllegalStateException(
          "braze-odp.currents.tokens-env must name at least one variable holding a bearer token");
    }
    List<String> tokens = new java.util.ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      tokens.add(secret("braze-odp.currents.tokens-env[" + i + "]", names.get(i)));
    }
    return CurrentsReceiver.builder()
        .tokens(tokens)
        .forwarder(forwarder)
        .maxBodyBytes(properties.currents().bodyLimitBytes())
        .identity(plan.identity())
        .prefix(properties.segmentSync().prefix())
        .endpoint(CurrentsController.PATH)
        .build();
  }

  private String secret(String key, String variable) {
    if (variable == null || variable.isBlank()) {
      throw new IllegalStateException(key + " must name the variable that holds the secret");
    }
    String value = environment.getProperty(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "environment variable " + variable + " (named by " + key + ") is not set");
    }
    return value;
  }

  private static TrackLimit trackLimit(String name) {
    return switch (name) {
      case "COMBINED_50" -> TrackLimit.COMBINED_50;
      case "COMBINED_75" -> TrackLimit.COMBINED_75;
      case "LEGACY_75_PER_ARRAY" -> TrackLimit.LEGACY_75_PER_ARRAY;
      default ->
          throw new IllegalStateException(
              "braze-odp.braze.track-limit must be COMBINED_50, COMBINED_75 or"
                  + " LEGACY_75_PER_ARRAY, was \""
                  + name
                  + "\"");
    };
  }

  private static <E extends Enum<E>> E oneOf(String key, String value, Class<E> type) {
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          key + " must be one of " + List.of(type.getEnumConstants()) + ", was \"" + value + "\"",
          e);
    }
  }

  private static FieldMapping rule(String key, SyncProperties.Rule r) {
    FieldMapping mapping =
        r.constant() != null
            ? FieldMapping.constant(r.target(), r.constant())
            : FieldMapping.of(r.source(), r.target());
    if (r.transform() == null) {
      return mapping;
    }
    // The CLI's transform names; its {"split": ...} form has no flat property equivalent here.
    Transform t =
        switch (r.transform()) {
          case "lowercase" -> Transform.lowerCase();
          case "uppercase" -> Transform.upperCase();
          case "date" -> Transform.dateFormat(Transform.DateOutput.DATE);
          case "epochSeconds" -> Transform.dateFormat(Transform.DateOutput.EPOCH_SECONDS);
          case "isoInstant" -> Transform.dateFormat(Transform.DateOutput.ISO_INSTANT);
          default ->
              throw new IllegalStateException(
                  key
                      + ".transform must be lowercase, uppercase, date, epochSeconds or"
                      + " isoInstant, was \""
                      + r.transform()
                      + "\"");
        };
    return mapping.with(t);
  }
}
