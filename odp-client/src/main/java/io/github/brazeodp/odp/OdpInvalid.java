package io.github.brazeodp.odp;

/**
 * One item of ODP's {@code detail.invalids[]}: {@code {event, message}} for rows, {@code {field,
 * reason}} for schema calls.
 *
 * @param index the row index within the request, or null when ODP named no row
 * @param field the field ODP named, or null
 * @param message ODP's message or reason
 */
public record OdpInvalid(Integer index, String field, String message) {}
