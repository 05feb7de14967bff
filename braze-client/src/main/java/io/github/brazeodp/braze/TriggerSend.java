package io.github.brazeodp.braze;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A campaign or Canvas trigger send: who receives it and with what properties.
 *
 * <p>Either up to 50 {@code recipients}, or {@code broadcast} to the whole target segment (then no
 * recipients). {@code properties} are the request-level {@code trigger_properties} of a campaign or
 * {@code context} of a Canvas. See <a
 * href="https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_campaigns/">campaign
 * trigger</a> and <a
 * href="https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_canvases/">Canvas
 * trigger</a>.
 *
 * @param id the campaign or Canvas id
 * @param sendId optional send id (campaigns only)
 * @param properties request-level trigger properties or Canvas context
 * @param broadcast true to send to the whole target segment
 * @param audience optional Connected Audience object
 * @param recipients up to 50 recipients
 */
public record TriggerSend(
    String id,
    String sendId,
    Map<String, Object> properties,
    boolean broadcast,
    Map<String, Object> audience,
    List<Recipient> recipients) {

  /** Braze's cap on recipients per call. */
  public static final int MAX_RECIPIENTS = 50;

  /** Validates the send before any request. */
  public TriggerSend {
    Validation.notBlank("id", id);
    recipients = recipients == null ? List.of() : recipients;
    for (int i = 0; i < recipients.size(); i++) {
      if (recipients.get(i) == null) {
        throw new IllegalArgumentException("recipients[" + i + "] is null");
      }
    }
    recipients = List.copyOf(recipients);
    if (recipients.size() > MAX_RECIPIENTS) {
      throw new IllegalArgumentException(
          "recipients has "
              + recipients.size()
              + " entries, over Braze's limit of "
              + MAX_RECIPIENTS
              + " per call");
    }
    if (broadcast && !recipients.isEmpty()) {
      throw new IllegalArgumentException(
          "broadcast=true sends to the whole segment and must not list recipients");
    }
    if (!broadcast && recipients.isEmpty() && audience == null) {
      throw new IllegalArgumentException(
          "recipients is empty: list up to 50 recipients, give an audience, or set broadcast=true");
    }
    properties =
        properties == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    audience = audience == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(audience));
  }

  /** A send to specific recipients. */
  public static TriggerSend to(String id, List<Recipient> recipients) {
    return new TriggerSend(id, null, null, false, null, recipients);
  }

  /** Returns a copy with request-level properties. */
  public TriggerSend withProperties(Map<String, ?> newProperties) {
    return new TriggerSend(
        id,
        sendId,
        newProperties == null ? null : new LinkedHashMap<>(newProperties),
        broadcast,
        audience,
        recipients);
  }
}
