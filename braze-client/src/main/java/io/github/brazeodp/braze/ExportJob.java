package io.github.brazeodp.braze;

import io.github.brazeodp.braze.internal.ExchangeInterceptor;
import io.github.brazeodp.braze.internal.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A segment export Braze is preparing: wait for it, then stream its users.
 *
 * <p>Braze has no status endpoint: the download URL simply answers 403 or 404 until the archive is
 * there, so {@link #awaitReady(Instant)} polls it with backoff (or a host that receives Braze's
 * callback can skip waiting). The URL stays valid for about four hours.
 */
public final class ExportJob {
  private static final Duration FIRST_POLL = Duration.ofSeconds(5);
  private static final Duration MAX_POLL = Duration.ofMinutes(1);
  private static final Transport.Endpoint DOWNLOAD =
      new Transport.Endpoint(
          "export download", EndpointFamily.DEFAULT, Transport.Safety.IDEMPOTENT);

  private final ClientContext ctx;
  private final String segmentId;
  private final String objectPrefix;
  private final String url;

  ExportJob(ClientContext ctx, String segmentId, String objectPrefix, String url) {
    this.ctx = ctx;
    this.segmentId = segmentId;
    this.objectPrefix = objectPrefix;
    this.url = url;
  }

  /** Returns the exported segment's id. */
  public String segmentId() {
    return segmentId;
  }

  /** Returns Braze's {@code object_prefix} of the export. */
  public String objectPrefix() {
    return objectPrefix;
  }

  /** Returns the download URL; empty when the export goes to your own storage bucket. */
  public Optional<String> url() {
    return Optional.ofNullable(url);
  }

  /** Returns a copy of this job that downloads from {@code newUrl}, as given by the callback. */
  public ExportJob withUrl(String newUrl) {
    BrazeClient.checkDownloadUrl("url", newUrl);
    return new ExportJob(ctx, segmentId, objectPrefix, newUrl);
  }

  /**
   * Polls the download URL until the archive is there, waiting 5 s at first and up to one minute
   * between polls.
   *
   * @throws BrazeExportException when {@code deadline} passes first, or the URL fails for good
   */
  public void awaitReady(Instant deadline) {
    String target = requireUrl();
    Duration wait = FIRST_POLL;
    int lastStatus = -1;
    while (true) {
      lastStatus = probe(target);
      if (lastStatus >= 200 && lastStatus < 300) {
        return;
      }
      if (lastStatus != -1
          && lastStatus != 403
          && lastStatus != 404
          && lastStatus != 429
          && lastStatus < 500) {
        throw new BrazeExportException(
            "export of segment "
                + segmentId
                + " cannot be downloaded: the URL answered "
                + lastStatus,
            lastStatus,
            null);
      }
      Instant now = ctx.clock().instant();
      if (!now.plus(wait).isBefore(deadline)) {
        Duration rest = Duration.between(now, deadline);
        if (rest.isNegative() || rest.isZero()) {
          throw new BrazeExportException(
              "export of segment "
                  + segmentId
                  + " was not ready by "
                  + deadline
                  + " (last status "
                  + lastStatus
                  + ")",
              lastStatus,
              null);
        }
        wait = rest;
      }
      sleep(wait);
      wait = wait.multipliedBy(3).dividedBy(2);
      if (wait.compareTo(MAX_POLL) > 0) {
        wait = MAX_POLL;
      }
    }
  }

  private int probe(String target) {
    Request request =
        new Request.Builder()
            .url(target)
            .header("Range", "bytes=0-0")
            .tag(ExchangeInterceptor.Download.class, new ExchangeInterceptor.Download())
            .build();
    try (Response response = ctx.http().newCall(request).execute()) {
      return response.code();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Streams the users of the archive, failing on the first malformed line. */
  public ExportUserStream openUsers() {
    return openUsers(ExportReadOptions.defaults());
  }

  /**
   * Streams the users of the archive with the given options (resume, skip malformed, limits); the
   * client's {@link BrazeClient.Builder#exportLimits(ExportLimits)} apply unless the options set
   * their own.
   */
  public ExportUserStream openUsers(ExportReadOptions options) {
    String target = requireUrl();
    if (options.limits() == null) {
      options = options.limits(ctx.exportLimits());
    }
    String name = fileName(target);
    return new ExportUserStream(() -> download(target), name, options);
  }

  private InputStream download(String target) {
    return ctx.transport()
        .retrying(
            DOWNLOAD,
            ctx.transport().newState(),
            () -> {
              Request request =
                  new Request.Builder()
                      .url(target)
                      .tag(ExchangeInterceptor.Download.class, new ExchangeInterceptor.Download())
                      .build();
              Response response;
              try {
                response = ctx.http().newCall(request).execute();
              } catch (IOException e) {
                throw new BrazeIoException("export download", true, e);
              }
              if (response.isSuccessful()) {
                return response.body().byteStream();
              }
              int code = response.code();
              response.close();
              if (code >= 500) {
                throw new BrazeServerException(
                    "export download", code, java.util.Map.of(), null, java.util.List.of(), "");
              }
              throw new BrazeExportException(
                  "export of segment "
                      + segmentId
                      + (code == 403 || code == 404
                          ? " is not ready or its URL has expired"
                          : " cannot be downloaded")
                      + ": the URL answered "
                      + code,
                  code,
                  null);
            });
  }

  private String requireUrl() {
    if (url == null) {
      throw new BrazeExportException(
          "export of segment "
              + segmentId
              + " has no download URL: it is written to your own storage bucket under "
              + objectPrefix
              + "; read those files with ExportUserStream.open",
          -1,
          null);
    }
    return url;
  }

  private static String fileName(String url) {
    String path = okhttp3.HttpUrl.get(url).encodedPath();
    int slash = path.lastIndexOf('/');
    String name = slash < 0 ? path : path.substring(slash + 1);
    return name.isEmpty() ? "export" : name;
  }

  private void sleep(Duration d) {
    try {
      ctx.sleeper().sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrazeException("interrupted while waiting for the export", e);
    }
  }

  @Override
  public String toString() {
    return "ExportJob{segment=" + segmentId + ", objectPrefix=" + objectPrefix + "}";
  }
}
