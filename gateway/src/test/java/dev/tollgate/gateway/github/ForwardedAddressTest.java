package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.schemas.event.RejectionEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The client address in rejection events behind an ingress: taken from X-Forwarded-For only when
 * the direct peer is a configured trusted proxy (here 127.0.0.2), never from any other peer.
 */
@QuarkusTest
@TestProfile(ForwardedAddressTest.TrustOneProxy.class)
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class ForwardedAddressTest extends WebhookRouteTestSupport {

  /** Forwarding on, believed from 127.0.0.2 only. */
  public static class TrustOneProxy implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.http.proxy.proxy-address-forwarding", "true",
          "quarkus.http.proxy.trusted-proxies", "127.0.0.2");
    }
  }

  @Test
  void deliver_forgedForwardedForFromUntrustedPeer_isIgnoredInRejection() throws Exception {
    String delivery = UUID.randomUUID().toString();

    String answer = unsigned(InetAddress.getByName("127.0.0.1"), "203.0.113.9", delivery);

    assertThat(answer).startsWith("HTTP/1.1 401");
    RejectionEvent rejection = awaitRejection(r -> delivery.equals(r.deliveryId()));
    assertThat(rejection.remoteAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void deliver_forwardedForFromTrustedProxy_isTheClientAddress() throws Exception {
    String delivery = UUID.randomUUID().toString();

    String answer = unsigned(InetAddress.getByName("127.0.0.2"), "198.51.100.7", delivery);

    assertThat(answer).startsWith("HTTP/1.1 401");
    RejectionEvent rejection = awaitRejection(r -> delivery.equals(r.deliveryId()));
    assertThat(rejection.remoteAddress()).isEqualTo("198.51.100.7");
  }

  /** An unsigned delivery sent from {@code from}, claiming to be forwarded for {@code client}. */
  private String unsigned(InetAddress from, String client, String delivery) throws IOException {
    InetAddress server = InetAddress.getByName(webhooks.getHost());
    try (Socket socket = new Socket(server, webhooks.getPort(), from, 0)) {
      socket.setSoTimeout(15_000);
      byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /webhooks/github HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                  + "Content-Type: application/json\r\nX-GitHub-Event: push\r\n"
                  + "X-GitHub-Delivery: "
                  + delivery
                  + "\r\nX-Forwarded-For: "
                  + client
                  + "\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
