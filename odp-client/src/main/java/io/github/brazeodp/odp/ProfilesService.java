package io.github.brazeodp.odp;

import com.squareup.moshi.JsonAdapter;
import io.github.brazeodp.odp.internal.OdpHttpApi;
import io.github.brazeodp.odp.internal.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates, updates and reads customer profiles ({@code /v3/profiles}); obtained from {@link
 * OdpClient#profiles()}. Paced at 10 requests/s by default.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-customers">ODP
 *     customers</a>
 */
public final class ProfilesService {
  private final Transport transport;
  private final BatchSender sender;
  private final RowEncoder encoder;
  private final OdpHttpApi http;
  private final JsonAdapter<Wire.ProfileBody> profileAdapter;

  ProfilesService(
      Transport transport,
      BatchSender sender,
      RowEncoder encoder,
      OdpHttpApi http,
      JsonAdapter<Wire.ProfileBody> profileAdapter) {
    this.transport = transport;
    this.sender = sender;
    this.encoder = encoder;
    this.http = http;
    this.profileAdapter = profileAdapter;
  }

  /**
   * Upserts any number of profiles, batched like {@link EventsService#send}; identifiers are sent
   * inside {@code attributes}, as the API requires.
   *
   * @param updates the updates, in order; the result's indexes refer to this list
   * @return the outcome of every row
   * @throws IllegalArgumentException if an update is invalid (nothing is sent)
   * @throws OdpException if a request fails for good, with {@link OdpException#partialResult()}
   */
  public BatchResult upsert(List<ProfileUpdate> updates) {
    Objects.requireNonNull(updates, "updates");
    List<byte[]> rows = new ArrayList<>(updates.size());
    for (int i = 0; i < updates.size(); i++) {
      rows.add(encoder.profile(i, updates.get(i)));
    }
    return sender.send(OdpApi.PROFILES, rows, http::upsertProfiles);
  }

  /**
   * Reads one profile by a single identifier, e.g. {@code get("email", "a@example.com")}.
   *
   * @param identifierName the identifier field, e.g. {@code email} or {@code vuid}
   * @param value the identifier value
   * @return the profile, or empty when ODP answers 404
   * @throws IllegalArgumentException if the name or value is invalid
   */
  public Optional<OdpProfile> get(String identifierName, String value) {
    RowEncoder.requireName("identifierName", identifierName);
    RowEncoder.requireText("value", value);
    try {
      Wire.ProfileBody body =
          transport.execute(
              OdpApi.PROFILES,
              true,
              Transport.retrofit(tag -> http.getProfile(Map.of(identifierName, value), tag)),
              r -> Transport.decode(OdpApi.PROFILES, profileAdapter, r));
      return Optional.of(new OdpProfile(body.attributes()));
    } catch (OdpNotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "ProfilesService";
  }
}
