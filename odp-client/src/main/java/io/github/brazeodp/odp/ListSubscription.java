package io.github.brazeodp.odp;

/**
 * One subscription change for {@code POST /v3/lists/subscriptions}: sent as {@code {"list_id":...,
 * "<identifierName>":"<identifierValue>", "subscribed":...}}.
 *
 * @param listId the list, e.g. {@code "newsletter"}
 * @param identifierName the identifier field, usually {@code "email"}
 * @param identifierValue the identifier value
 * @param subscribed true to subscribe, false to unsubscribe
 */
public record ListSubscription(
    String listId, String identifierName, String identifierValue, boolean subscribed) {}
