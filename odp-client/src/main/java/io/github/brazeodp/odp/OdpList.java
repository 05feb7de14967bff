package io.github.brazeodp.odp;

import com.squareup.moshi.Json;
import java.time.Instant;

/**
 * An ODP list (subscription list).
 *
 * @param listId the id ODP derived from the name (lower case, non-alphanumerics as {@code _})
 * @param name the display name
 * @param createdAt when the list was created; null when ODP did not say (e.g. on create)
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/authentication">ODP
 *     API reference (lists)</a>
 */
public record OdpList(
    @Json(name = "list_id") String listId,
    String name,
    @Json(name = "created_at") Instant createdAt) {}
