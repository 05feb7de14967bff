package io.github.brazeodp.braze;

import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /users/track}: attributes, events and purchases.
 *
 * <p>Any number of objects may be collected; {@link UsersService#track(TrackRequest)} sends one
 * request and refuses more objects than the client's {@link TrackLimit}, while {@link
 * UsersService#trackAll(TrackRequest)} splits them with {@link TrackBatcher}. See <a
 * href="https://www.braze.com/docs/api/endpoints/user_data/post_user_track/">POST /users/track</a>.
 *
 * @param attributes attribute objects
 * @param events event objects
 * @param purchases purchase objects
 */
public record TrackRequest(
    List<UserAttributes> attributes, List<TrackEvent> events, List<TrackPurchase> purchases) {

  /** Copies the lists and rejects null entries, naming their position. */
  public TrackRequest {
    attributes = copy("attributes", attributes);
    events = copy("events", events);
    purchases = copy("purchases", purchases);
  }

  private static <T> List<T> copy(String field, List<T> list) {
    if (list == null) {
      return List.of();
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw new IllegalArgumentException(field + "[" + i + "] is null");
      }
    }
    return List.copyOf(list);
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the number of objects across the three arrays. */
  public int objectCount() {
    return attributes.size() + events.size() + purchases.size();
  }

  /** Returns whether there is nothing to send. */
  public boolean isEmpty() {
    return objectCount() == 0;
  }

  /** Collects objects for a {@link TrackRequest}. */
  public static final class Builder {
    private final List<UserAttributes> attributes = new ArrayList<>();
    private final List<TrackEvent> events = new ArrayList<>();
    private final List<TrackPurchase> purchases = new ArrayList<>();

    private Builder() {}

    /** Adds an attributes object. */
    public Builder attributes(UserAttributes value) {
      attributes.add(Validation.notNull("attributes", value));
      return this;
    }

    /** Adds an event object. */
    public Builder event(TrackEvent value) {
      events.add(Validation.notNull("event", value));
      return this;
    }

    /** Adds a purchase object. */
    public Builder purchase(TrackPurchase value) {
      purchases.add(Validation.notNull("purchase", value));
      return this;
    }

    /** Builds the request. */
    public TrackRequest build() {
      return new TrackRequest(attributes, events, purchases);
    }
  }
}
