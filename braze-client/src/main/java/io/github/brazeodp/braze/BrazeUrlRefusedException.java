package io.github.brazeodp.braze;

/**
 * The client refused to contact a URL: a redirect to plain http on a non-loopback host, too many
 * redirects, or a download host on a private, loopback, link-local or cloud-metadata address. Never
 * retried: the same URL is refused again.
 */
public class BrazeUrlRefusedException extends BrazeException {
  private static final long serialVersionUID = 1L;
  private final String url;

  /** Creates the exception; {@code url} is shown without its query (it may carry credentials). */
  public BrazeUrlRefusedException(String message, String url) {
    super(message);
    this.url = url;
  }

  /** Returns the refused URL without its query string. */
  public String url() {
    return url;
  }
}
