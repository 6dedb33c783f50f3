package dev.tollgate.ledger.witness;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.testing.TestKeys;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's handling of every kind of answer, from a witness we script: an answer counts only
 * when it is a cosignature by the configured key over exactly the submitted checkpoint.
 */
class WitnessClientTest {

  private final CheckpointIssuer issuer =
      new CheckpointIssuer("tollgate.test/ledger", TestKeys.signer());
  private final MerkleTree tree = WitnessInteropTest.tree("a", 4);
  private WireMockServer server;

  record Reply(int status, String contentType, String body) {}

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void submit_cosignatureByConfiguredKey_cosignedWithRequestInProtocolShape() throws Exception {
    KeyPair witness = ed25519();
    WitnessKey key = witnessKey("w.test/1", witness);
    Checkpoint checkpoint = checkpoint();
    reply(new Reply(200, "text/plain", cosignatureLine(key, witness, checkpoint, 1700000000L)));

    WitnessClient.Answer answer = client(key).submit(checkpoint.note(), 0, List.of());

    assertThat(answer).isInstanceOf(WitnessClient.Cosigned.class);
    assertThat(((WitnessClient.Cosigned) answer).cosignature().timestamp()).isEqualTo(1700000000L);
    server.verify(
        postRequestedFor(urlEqualTo("/add-checkpoint"))
            .withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                    "old 0\n\n" + checkpoint.note())));
  }

  @Test
  void submit_cosignatureByAnotherKey_badCosignature() throws Exception {
    KeyPair configured = ed25519();
    KeyPair other = ed25519();
    WitnessKey key = witnessKey("w.test/1", configured);
    Checkpoint checkpoint = checkpoint();
    // The other key under the configured name: the key ID differs, so no line is the witness's.
    reply(
        new Reply(
            200,
            "text/plain",
            cosignatureLine(witnessKey("w.test/1", other), other, checkpoint, 1700000000L)));

    assertReason(
        () -> client(key).submit(checkpoint.note(), 0, List.of()),
        WitnessException.Reason.BAD_COSIGNATURE);
  }

  @Test
  void submit_cosignatureOverAnotherTimestampThanItStates_badCosignature() throws Exception {
    KeyPair witness = ed25519();
    WitnessKey key = witnessKey("w.test/1", witness);
    Checkpoint checkpoint = checkpoint();
    String line = cosignatureLine(key, witness, checkpoint, 1700000000L);
    Cosignature honest =
        Cosignature.of(
                SignedNote.parse(checkpointText(checkpoint) + "\n" + line).signatures().get(0))
            .orElseThrow();
    Cosignature shifted =
        new Cosignature(honest.name(), honest.keyId(), 1700000001L, honest.signature());
    reply(new Reply(200, "text/plain", shifted.line().line()));

    assertReason(
        () -> client(key).submit(checkpoint.note(), 0, List.of()),
        WitnessException.Reason.BAD_COSIGNATURE);
  }

  @Test
  void submit_garbage200_malformedResponse() throws Exception {
    WitnessKey key = witnessKey("w.test/1", ed25519());
    reply(new Reply(200, "text/plain", "<html>hello</html>\n"));

    assertReason(
        () -> client(key).submit(checkpoint().note(), 0, List.of()),
        WitnessException.Reason.MALFORMED_RESPONSE);
  }

  @Test
  void submit_409WithoutSize_malformedResponse() throws Exception {
    WitnessKey key = witnessKey("w.test/1", ed25519());
    reply(new Reply(409, "text/x.tlog.size", "twelve\n"));

    assertReason(
        () -> client(key).submit(checkpoint().note(), 0, List.of()),
        WitnessException.Reason.MALFORMED_RESPONSE);
  }

  @Test
  void submit_409WithSize_otherSize() throws Exception {
    WitnessKey key = witnessKey("w.test/1", ed25519());
    reply(new Reply(409, "text/x.tlog.size", "3\n"));

    assertThat(client(key).submit(checkpoint().note(), 0, List.of()))
        .isEqualTo(new WitnessClient.OtherSize(3));
  }

  @Test
  void submit_503_unavailable() throws Exception {
    WitnessKey key = witnessKey("w.test/1", ed25519());
    reply(new Reply(503, "text/plain", "busy\n"));

    assertReason(
        () -> client(key).submit(checkpoint().note(), 0, List.of()),
        WitnessException.Reason.UNAVAILABLE);
  }

  @Test
  void submit_nobodyListening_unavailable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    WitnessClient client =
        new WitnessClient(
            URI.create("http://127.0.0.1:" + port),
            witnessKey("w.test/1", ed25519()),
            Duration.ofSeconds(2));

    assertReason(
        () -> client.submit(checkpoint().note(), 0, List.of()),
        WitnessException.Reason.UNAVAILABLE);
  }

  @Test
  void cosign_witnessHoldsLargerTree_rollbackWithoutSecondSubmission() throws Exception {
    WitnessKey key = witnessKey("w.test/1", ed25519());
    reply(new Reply(409, "text/x.tlog.size", "99\n"));

    assertReason(
        () -> new CheckpointWitness(client(key)).cosign(checkpoint(), tree::consistencyProof),
        WitnessException.Reason.ROLLBACK);
  }

  @Test
  void quorum_twoRequiredOneCosigned_quorumNotMet() throws Exception {
    KeyPair one = ed25519();
    WitnessKey first = witnessKey("w.test/1", one);
    WitnessKey second = witnessKey("w.test/2", ed25519());
    Checkpoint checkpoint = checkpoint();
    String note = checkpoint.note() + cosignatureLine(first, one, checkpoint, 1700000000L);

    assertThat(new WitnessQuorum(List.of(first, second), 1).verify(note)).hasSize(1);
    assertReason(
        () -> new WitnessQuorum(List.of(first, second), 2).verify(note),
        WitnessException.Reason.QUORUM_NOT_MET);
  }

  @Test
  void quorum_lineByUnconfiguredWitness_ignored() throws Exception {
    KeyPair stranger = ed25519();
    Checkpoint checkpoint = checkpoint();
    String note =
        checkpoint.note()
            + cosignatureLine(witnessKey("w.test/x", stranger), stranger, checkpoint, 1700000000L);

    assertThat(WitnessQuorum.none().verify(note)).isEmpty();
  }

  // c2sp.org/tlog-cosignature: the example cosigned checkpoint and its "Ed25519 signed message"
  // example (the witness public key is not published, so this checks framing and message bytes).
  @Test
  void of_specExample_keyIdTimestampAndSignedMessage() throws Exception {
    String text =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    SignedNote note =
        SignedNote.parse(
            text
                + "\n\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
                + "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n");

    Cosignature cosignature = Cosignature.of(note.signatures().get(1)).orElseThrow();

    assertThat(Cosignature.of(note.signatures().get(0))).as("a log signature").isEmpty();
    assertThat(cosignature.name()).isEqualTo("witness.example.com/w1");
    assertThat(java.util.HexFormat.of().formatHex(cosignature.keyId())).isEqualTo("8d66cf3f");
    assertThat(cosignature.timestamp()).isEqualTo(1679315147L);
    assertThat(new String(Cosignature.signedMessage(text, 1679315147L), StandardCharsets.UTF_8))
        .isEqualTo("cosignature/v1\ntime 1679315147\n" + text);
  }

  @Test
  void parse_keyOfLogSignatureType_malformedKey() throws Exception {
    String logVkey = issuer.key().vkey();

    assertReason(() -> WitnessKey.parse(logVkey), WitnessException.Reason.MALFORMED_KEY);
  }

  @Test
  void parse_ownVkey_roundTrips() throws Exception {
    WitnessKey key = witnessKey("w.test/1", ed25519());

    assertThat(WitnessKey.parse(key.vkey())).isEqualTo(key);
    assertReason(
        () -> WitnessKey.parse(key.vkey().replaceFirst("\\+[0-9a-f]{8}\\+", "+00000000+")),
        WitnessException.Reason.MALFORMED_KEY);
  }

  interface Call {
    void run() throws Exception;
  }

  private static void assertReason(Call call, WitnessException.Reason reason) {
    assertThatThrownBy(call::run)
        .isInstanceOf(WitnessException.class)
        .extracting(e -> ((WitnessException) e).reason())
        .isEqualTo(reason);
  }

  private Checkpoint checkpoint() throws Exception {
    return issuer.issue(tree, 4, Optional.empty());
  }

  private static String checkpointText(Checkpoint checkpoint) throws Exception {
    return SignedNote.parse(checkpoint.note()).text();
  }

  private void reply(Reply r) {
    if (server == null) {
      server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
      server.start();
    }
    server.stubFor(
        post(urlEqualTo("/add-checkpoint"))
            .willReturn(
                aResponse()
                    .withStatus(r.status())
                    .withHeader("Content-Type", r.contentType())
                    .withBody(r.body())));
  }

  private WitnessClient client(WitnessKey key) {
    return new WitnessClient(
        URI.create("http://127.0.0.1:" + server.port() + "/"), key, Duration.ofSeconds(5));
  }

  private static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  private static WitnessKey witnessKey(String name, KeyPair pair) throws Exception {
    return WitnessKey.of(name, dev.tollgate.ledger.chain.LedgerPublicKey.of(pair.getPublic()));
  }

  /** A cosignature line as a witness writes it, made here with the JDK's Ed25519. */
  private static String cosignatureLine(
      WitnessKey key, KeyPair pair, Checkpoint checkpoint, long timestamp) throws Exception {
    Signature ed = Signature.getInstance("Ed25519");
    ed.initSign(pair.getPrivate());
    ed.update(Cosignature.signedMessage(checkpointText(checkpoint), timestamp));
    byte[] blob = ByteBuffer.allocate(72).putLong(timestamp).put(ed.sign()).array();
    return new SignedNote.Signature(key.name(), key.keyId(), blob).line();
  }
}
