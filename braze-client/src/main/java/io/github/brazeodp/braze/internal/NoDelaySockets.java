package io.github.brazeodp.braze.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Socket factory that turns Nagle's algorithm off.
 *
 * <p>OkHttp leaves it on, so a request body over 8 KiB ends in a short segment that waits for the
 * server's delayed ACK (about 40 ms on Linux) on every batch request; see square/okhttp#4784.
 */
public final class NoDelaySockets extends SocketFactory {
  private final SocketFactory delegate;

  private NoDelaySockets(SocketFactory delegate) {
    this.delegate = delegate;
  }

  /** Returns {@code current} wrapped, unless the host configured a factory of its own. */
  public static SocketFactory wrapDefault(SocketFactory current) {
    if (current instanceof NoDelaySockets
        || current.getClass() != SocketFactory.getDefault().getClass()) {
      return current;
    }
    return new NoDelaySockets(current);
  }

  private static Socket noDelay(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }

  @Override
  public Socket createSocket() throws IOException {
    return noDelay(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return noDelay(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return noDelay(delegate.createSocket(address, port, localAddress, localPort));
  }
}
