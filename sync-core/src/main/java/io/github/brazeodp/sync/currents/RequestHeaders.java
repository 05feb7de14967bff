package io.github.brazeodp.sync.currents;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Read access to the headers of one HTTP request, so that any server adapts in one line:
 *
 * <pre>{@code
 * receiver.handle(request::getHeader, body);                        // Servlet, Vert.x
 * receiver.handle(httpHeaders::getFirst, body);                     // Spring MVC / WebFlux
 * receiver.handle(request.getHeaders()::get, body);                 // Jetty 12
 * receiver.handle(exchange.getRequestHeaders()::getFirst, body);    // JDK HttpServer
 * receiver.handle(RequestHeaders.of(headerMap), body);              // any Map<String, List<String>>
 * }</pre>
 */
@FunctionalInterface
public interface RequestHeaders {

  /**
   * Returns the first value of a header.
   *
   * @param name the header's name; implementations match it ignoring case, as HTTP does
   * @return the value, or null when the request has no such header
   */
  String first(String name);

  /**
   * Adapts a map of header values whose names may be in any case.
   *
   * @param headers the headers
   * @return a view looking names up ignoring case and skipping blank values
   */
  static RequestHeaders of(Map<String, List<String>> headers) {
    Objects.requireNonNull(headers, "headers");
    return name -> {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null) {
          for (String v : e.getValue()) {
            if (v != null && !v.isBlank()) {
              return v;
            }
          }
        }
      }
      return null;
    };
  }
}
