package io.github.brazeodp.sync.activation;

import java.util.Objects;

/**
 * Where an activation sends: an API-triggered campaign, an API-triggered Canvas, or a profile
 * update only (no message).
 *
 * <p>Campaign and Canvas sends go through {@code /campaigns/trigger/send} and {@code
 * /canvas/trigger/send} (at most 50 recipients a call) and are recorded in the activation ledger so
 * that nobody is messaged twice. Profile-only updates go through {@code /users/track}; they are
 * idempotent, so they bypass the ledger and a rerun simply writes the same attributes again.
 *
 * @param kind the kind of touchpoint
 * @param id the campaign or Canvas id; null for profile-only
 */
public record Touchpoint(Kind kind, String id) {

  /** The kinds of touchpoint. */
  public enum Kind {
    /** An API-triggered campaign. */
    CAMPAIGN,
    /** An API-triggered Canvas. */
    CANVAS,
    /** {@code /users/track} attributes only; no message. */
    PROFILE_UPDATE_ONLY
  }

  /**
   * Checks that campaigns and Canvases have an id and profile-only has none.
   *
   * @param kind the kind of touchpoint
   * @param id the campaign or Canvas id; null for profile-only
   */
  public Touchpoint {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.PROFILE_UPDATE_ONLY) {
      if (id != null) {
        throw new IllegalArgumentException("touchpoint: profile-only takes no id, got " + id);
      }
    } else if (id == null || id.isBlank()) {
      throw new IllegalArgumentException(
          "touchpoint: a " + kind.name().toLowerCase(java.util.Locale.ROOT) + " needs an id");
    }
  }

  /**
   * Sends through an API-triggered campaign.
   *
   * @param campaignId the campaign id
   * @return the touchpoint
   */
  public static Touchpoint campaign(String campaignId) {
    return new Touchpoint(Kind.CAMPAIGN, campaignId);
  }

  /**
   * Sends through an API-triggered Canvas.
   *
   * @param canvasId the Canvas id
   * @return the touchpoint
   */
  public static Touchpoint canvas(String canvasId) {
    return new Touchpoint(Kind.CANVAS, canvasId);
  }

  /**
   * Updates Braze profiles only, through {@code /users/track}.
   *
   * @return the touchpoint
   */
  public static Touchpoint profileUpdateOnly() {
    return new Touchpoint(Kind.PROFILE_UPDATE_ONLY, null);
  }

  /**
   * Tells whether the touchpoint sends messages (campaign or Canvas).
   *
   * @return true for campaigns and Canvases
   */
  public boolean sendsMessages() {
    return kind != Kind.PROFILE_UPDATE_ONLY;
  }
}
