package dev.tollgate.verifier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry host that accepts connections and never answers on them: not a byte, not a close. A
 * client sees neither an error nor an answer until its own deadline, the way a registry behind a
 * black-holing load balancer behaves. {@link #drop()} drops every connection and stops listening,
 * so what waited on it fails at once.
 */
public final class StalledRegistry implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private StalledRegistry(ServerSocket server) {
    this.server = server;
    this.acceptor = new Thread(this::accept, "stalled-registry");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listening on the loopback interface. */
  public static StalledRegistry start() {
    try {
      ServerSocket server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return new StalledRegistry(server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        held.add(server.accept());
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** {@code 127.0.0.1:port}, as a registry name. */
  public String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return held.size();
  }

  /** Drops every connection and stops listening: whatever waited on it fails at once. */
  public void drop() throws IOException {
    server.close();
    for (Socket s : held) {
      s.close();
    }
  }

  @Override
  public void close() throws IOException {
    drop();
  }
}
