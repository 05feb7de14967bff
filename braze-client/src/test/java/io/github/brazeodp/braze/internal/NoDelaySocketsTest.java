package io.github.brazeodp.braze.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;

class NoDelaySocketsTest {
  @Test
  void defaultSocketsGetTcpNoDelay() throws IOException {
    SocketFactory factory = NoDelaySockets.wrapDefault(SocketFactory.getDefault());
    try (Socket socket = factory.createSocket()) {
      assertThat(socket.getTcpNoDelay()).isTrue();
    }
    assertThat(NoDelaySockets.wrapDefault(factory)).isSameAs(factory);
  }

  @Test
  void aHostFactoryIsLeftAlone() {
    SocketFactory custom =
        new SocketFactory() {
          @Override
          public Socket createSocket() {
            return new Socket();
          }

          @Override
          public Socket createSocket(String host, int port) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Socket createSocket(
              String host, int port, java.net.InetAddress local, int localPort) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Socket createSocket(java.net.InetAddress host, int port) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Socket createSocket(
              java.net.InetAddress address, int port, java.net.InetAddress local, int localPort) {
            throw new UnsupportedOperationException();
          }
        };
    assertThat(NoDelaySockets.wrapDefault(custom)).isSameAs(custom);
  }
}
