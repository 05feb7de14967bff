package io.github.brazeodp.braze;

import io.github.brazeodp.braze.internal.JsonBody;
import io.github.brazeodp.braze.internal.Transport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * API-triggered campaign and Canvas sends, and the details that tell whether a campaign or Canvas
 * exists and is active.
 *
 * <p>These endpoints have no idempotency key, so a send is retried only when Braze answered 429 or
 * the connection failed before the request left. A timeout after sending surfaces as {@link
 * BrazeIoException} with {@link BrazeIoException#requestSent()} true: the outcome is unknown, and
 * repeating it could message people twice.
 */
public final class MessagingService {
  private static final Transport.Endpoint CAMPAIGN =
      ClientContext.endpoint(
          "/campaigns/trigger/send", EndpointFamily.MESSAGING, Transport.Safety.SEND);
  private static final Transport.Endpoint CANVAS =
      ClientContext.endpoint(
          "/canvas/trigger/send", EndpointFamily.MESSAGING, Transport.Safety.SEND);

  private static final Transport.Endpoint CAMPAIGN_DETAILS =
      ClientContext.endpoint(
          "/campaigns/details", EndpointFamily.DEFAULT, Transport.Safety.IDEMPOTENT);
  private static final Transport.Endpoint CANVAS_DETAILS =
      ClientContext.endpoint(
          "/canvas/details", EndpointFamily.DEFAULT, Transport.Safety.IDEMPOTENT);

  private final ClientContext ctx;

  MessagingService(ClientContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Triggers an API-triggered campaign for up to 50 recipients or a broadcast.
   *
   * <p>See <a
   * href="https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_campaigns/">POST
   * /campaigns/trigger/send</a>.
   */
  public TriggerResponse triggerCampaign(TriggerSend send) {
    JsonBody body = body("campaign_id", send, "trigger_properties");
    return ctx.transport().execute(CAMPAIGN, attempt -> ctx.api().triggerCampaign(body, attempt));
  }

  /**
   * Triggers an API-triggered Canvas for up to 50 recipients or a broadcast.
   *
   * <p>A paused or archived Canvas answers success with a notice and sends nothing; see {@link
   * TriggerResponse#nothingSent()}. See <a
   * href="https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_send_triggered_canvases/">POST
   * /canvas/trigger/send</a>.
   */
  public TriggerResponse triggerCanvas(TriggerSend send) {
    if (send.sendId() != null) {
      throw new IllegalArgumentException("send_id applies to campaigns only, not to Canvases");
    }
    JsonBody body = body("canvas_id", send, "context");
    return ctx.transport().execute(CANVAS, attempt -> ctx.api().triggerCanvas(body, attempt));
  }

  /**
   * Returns a campaign's state. Needs the key permission {@code campaigns.details} (403 without
   * it); an unknown id is a {@link BrazeBadRequestException} or {@link BrazeNotFoundException}.
   *
   * <p>See <a
   * href="https://www.braze.com/docs/api/endpoints/export/campaigns/get_campaign_details/">GET
   * /campaigns/details</a>.
   */
  public MessageDetails campaignDetails(String campaignId) {
    Validation.notBlank("campaign_id", campaignId);
    return ctx.transport()
        .execute(CAMPAIGN_DETAILS, attempt -> ctx.api().campaignDetails(campaignId, attempt));
  }

  /**
   * Returns a Canvas's state. Needs the key permission {@code canvas.details} (403 without it); an
   * unknown id is a {@link BrazeBadRequestException} or {@link BrazeNotFoundException}.
   *
   * <p>See <a href="https://www.braze.com/docs/api/endpoints/export/canvas/get_canvas_details/">GET
   * /canvas/details</a>.
   */
  public MessageDetails canvasDetails(String canvasId) {
    Validation.notBlank("canvas_id", canvasId);
    return ctx.transport()
        .execute(CANVAS_DETAILS, attempt -> ctx.api().canvasDetails(canvasId, attempt));
  }

  static JsonBody body(String idField, TriggerSend send, String propertiesField) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(idField, send.id());
    if (send.sendId() != null) {
      body.put("send_id", send.sendId());
    }
    if (!send.properties().isEmpty()) {
      body.put(propertiesField, send.properties());
    }
    body.put("broadcast", send.broadcast());
    if (send.audience() != null) {
      body.put("audience", send.audience());
    }
    if (!send.recipients().isEmpty()) {
      List<Object> recipients = new ArrayList<>();
      for (Recipient r : send.recipients()) {
        recipients.add(recipient(r, propertiesField));
      }
      body.put("recipients", recipients);
    }
    return new JsonBody(body);
  }

  private static Map<String, Object> recipient(Recipient r, String propertiesField) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (r.externalUserId() != null) {
      m.put("external_user_id", r.externalUserId());
    }
    if (r.userAlias() != null) {
      m.put(
          "user_alias",
          Map.of(
              "alias_name", r.userAlias().aliasName(), "alias_label", r.userAlias().aliasLabel()));
    }
    if (r.email() != null) {
      m.put("email", r.email());
      m.put("prioritization", r.prioritization());
    }
    if (r.brazeId() != null) {
      m.put("braze_id", r.brazeId());
    }
    if (!r.properties().isEmpty()) {
      m.put(propertiesField, r.properties());
    }
    if (r.sendToExistingOnly() != null) {
      m.put("send_to_existing_only", r.sendToExistingOnly());
    }
    if (!r.attributes().isEmpty()) {
      m.put("attributes", r.attributes());
    }
    return m;
  }
}
