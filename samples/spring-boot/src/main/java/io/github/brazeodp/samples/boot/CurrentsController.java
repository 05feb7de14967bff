package io.github.brazeodp.samples.boot;

import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.currents.CurrentsResponse;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Braze Currents posts its batches here (Custom Currents Export, bearer token). */
@RestController
public class CurrentsController {
  static final String PATH = "/currents";

  private final CurrentsReceiver receiver;

  CurrentsController(CurrentsReceiver receiver) {
    this.receiver = receiver;
  }

  @PostMapping(PATH)
  ResponseEntity<String> receive(
      @RequestHeader HttpHeaders headers, @RequestBody(required = false) byte[] body) {
    CurrentsResponse r = receiver.handle(headerLookup(headers), body == null ? new byte[0] : body);
    HttpHeaders out = new HttpHeaders();
    r.headers().forEach(out::add);
    return ResponseEntity.status(r.status()).headers(out).body(r.body());
  }

  /**
   * The one place that adapts Spring's headers to the receiver. Spring 6's {@code HttpHeaders} is a
   * case-insensitive {@code Map<String, List<String>>}; under Spring 7 (Boot 4), where it is no
   * longer a map, pass {@code headers.asMultiValueMap()} or the receiver's header lookup instead.
   */
  static Map<String, List<String>> headerLookup(HttpHeaders headers) {
    return headers;
  }
}
