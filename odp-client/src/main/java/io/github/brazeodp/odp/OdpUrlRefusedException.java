package io.github.brazeodp.odp;

/**
 * The client refused to download an export file: a redirect to plain http on a non-loopback host,
 * too many redirects, or a host on a private, loopback, link-local or cloud-metadata address. Never
 * retried: the same URL is refused again.
 */
public final class OdpUrlRefusedException extends OdpException {
  private final String url;

  /** Creates the exception; {@code url} is shown without its query (it may carry credentials). */
  public OdpUrlRefusedException(String message, String url) {
    super(OdpApi.EXPORT_FILES.endpoint(), message, null);
    this.url = url;
  }

  /** Returns the refused URL without its query string. */
  public String url() {
    return url;
  }
}
