package dev.tollgate.verifier.oci;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A registry an attacker controls, on the JDK's HTTP server: each test installs the answers it
 * wants (hostile bodies, headers, redirects, stalls) and reads what the verifier sent it.
 */
@SuppressForbidden(
    "com.sun.net.httpserver is the exported, supported jdk.httpserver module; forbiddenapis flags"
        + " every com.sun package as internal")
final class HostileRegistry implements AutoCloseable {
  private final HttpServer server;
  private final String host;

  /** Request path and Authorization header (or "-") of every request, in order. */
  final List<String> requests = new CopyOnWriteArrayList<>();

  final Map<String, Integer> hits = new ConcurrentHashMap<>();

  private HostileRegistry(HttpServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /** On the loopback interface, addressed as {@code 127.0.0.1:port}. */
  static HostileRegistry onLoopback() throws IOException {
    return on(InetAddress.getLoopbackAddress(), "127.0.0.1");
  }

  /** Bound to {@code bind}, addressed by {@code hostName}. */
  static HostileRegistry on(InetAddress bind, String hostName) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    return new HostileRegistry(server, hostName + ":" + server.getAddress().getPort());
  }

  /** {@code host:port}, as a registry name. */
  String host() {
    return host;
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Answers requests under {@code path} with {@code handler}, recording each. */
  HostileRegistry on(String path, HttpHandler handler) {
    // A later handler for the same path replaces the earlier one (JDK 25's server refuses a
    // second context with the same path instead of shadowing the first).
    try {
      server.removeContext(path);
    } catch (IllegalArgumentException none) {
      // no handler for this path yet
    }
    server.createContext(
        path,
        ex -> {
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          requests.add(ex.getRequestURI().getPath() + " " + (auth == null ? "-" : auth));
          hits.merge(path, 1, Integer::sum);
          try {
            handler.handle(ex);
          } finally {
            ex.close();
          }
        });
    return this;
  }

  /** A client for this registry over plain HTTP, without retries or sleeping. */
  RegistryClient.Builder client() {
    return RegistryClient.builder().plainHttp(host).retry(RetryPolicy.none()).sleeper(d -> {});
  }

  static void respond(HttpExchange ex, int status, byte[] body, String contentType)
      throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().add("Content-Type", contentType);
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }

  /** Writes {@code chunk} until the client hangs up or {@code max} bytes went out; chunked. */
  static long stream(HttpExchange ex, byte[] chunk, long max, long pauseMillis) {
    long sent = 0;
    try {
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      while (sent < max) {
        out.write(chunk);
        out.flush();
        sent += chunk.length;
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis);
        }
      }
    } catch (IOException e) {
      // the client hung up: what we want to see
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return sent;
  }

  @Override
  public void close() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }
}
