package io.github.brazeodp.samples.boot;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The CLI's {@code config.json} keys under {@code braze-odp.*}, in Spring's relaxed form: {@code
 * braze.apiKeyEnv} is {@code braze-odp.braze.api-key-env}, {@code segmentSync.createMissingFields}
 * is {@code braze-odp.segment-sync.create-missing-fields}, and so on. As in the CLI, secrets are
 * never configured directly: the {@code *-env} keys name the variables (or Spring properties) that
 * hold them. Activations are left to the CLI host.
 */
@ConfigurationProperties("braze-odp")
public record SyncProperties(
    Braze braze, Odp odp, State state, SegmentSync segmentSync, Currents currents, Daemon daemon) {

  /** Fills absent sections with their defaults. */
  public SyncProperties {
    braze = braze == null ? new Braze(null, "US_01", null, "COMBINED_50") : braze;
    odp = odp == null ? new Odp(null, null, null) : odp;
    state = state == null ? new State(null) : state;
    segmentSync =
        segmentSync == null
            ? new SegmentSync(List.of(), "_braze_", null, null, false, 500, 4)
            : segmentSync;
    currents = currents == null ? new Currents(List.of(), 16 * 1024 * 1024) : currents;
    daemon = daemon == null ? new Daemon("02:00", "UTC") : daemon;
  }

  /** {@code braze.*}: the variable holding the REST key, and the instance or a base URL. */
  public record Braze(
      String apiKeyEnv,
      @DefaultValue("US_01") String instance,
      String baseUrl,
      @DefaultValue("COMBINED_50") String trackLimit) {}

  /** {@code odp.*}: the variable holding the private key, and the region or a base URL. */
  public record Odp(String apiKeyEnv, String region, String baseUrl) {}

  /** {@code state.sqlite}: the state file; in memory when absent (every run starts afresh). */
  public record State(String sqlite) {}

  /** {@code segmentSync.*}: what to sync and how to map it. */
  public record SegmentSync(
      @DefaultValue List<String> segments,
      @DefaultValue("_braze_") String prefix,
      Mappings mappings,
      Identity identity,
      @DefaultValue("false") boolean createMissingFields,
      @DefaultValue("500") int batchSize,
      @DefaultValue("4") int concurrentExports) {}

  /** {@code segmentSync.mappings}: rules added to and removed from the defaults. */
  public record Mappings(@DefaultValue List<Rule> add, @DefaultValue List<String> remove) {}

  /** One added mapping rule: a source field or a constant, a target, an optional transform. */
  public record Rule(String source, String target, String transform, String constant) {}

  /** {@code segmentSync.identity.externalIdIdentifier}. */
  public record Identity(String externalIdIdentifier) {}

  /** {@code currents.*}: the variables holding the bearer tokens, the body limit. */
  public record Currents(
      @DefaultValue List<String> tokensEnv, @DefaultValue("16777216") int bodyLimitBytes) {}

  /** {@code daemon.*}: when the nightly sync runs. */
  public record Daemon(
      @DefaultValue("02:00") String segmentSyncAt, @DefaultValue("UTC") String zone) {}
}
