package io.github.brazeodp.samples.boot;

import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.currents.CurrentsResponse;
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
    // A method reference, not the map: Spring 7's HttpHeaders is no longer a Map.
    CurrentsResponse r = receiver.handle(headers::getFirst, body == null ? new byte[0] : body);
    HttpHeaders out = new HttpHeaders();
    r.headers().forEach(out::add);
    return ResponseEntity.status(r.status()).headers(out).body(r.body());
  }
}
