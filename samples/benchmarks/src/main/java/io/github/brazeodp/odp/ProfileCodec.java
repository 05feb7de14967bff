package io.github.brazeodp.odp;

/**
 * Benchmark access to the client's own row encoder, so that the codec-only figure encodes exactly
 * what {@code OdpClient.profiles().upsert} and {@code events().send} would send, without a request.
 */
public final class ProfileCodec {
  private final RowEncoder encoder =
      new RowEncoder(BatchSettings.defaults(), BatchSettings.defaults().maxBytes());

  /** Validates and encodes one profile as the client would; returns the row's JSON bytes. */
  public byte[] encode(int index, ProfileUpdate profile) {
    return encoder.profile(index, profile);
  }

  /** Validates and encodes one event as the client would; returns the row's JSON bytes. */
  public byte[] encode(int index, OdpEvent event) {
    return encoder.event(index, event);
  }
}
