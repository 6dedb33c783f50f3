package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} in its two signature modes (ledger format, section 13): by default a checkpoint
 * whose note verifies authenticates the records before it and only the signatures no checkpoint
 * covers are verified one by one; {@code --every-signature} verifies every record's.
 */
class SignatureModeAuditTest {

  private static final String ORIGIN = "audit.tollgate.dev/ledger";
  private static final Instant TIME = Instant.parse("2026-03-01T12:00:00Z");

  private static EmbeddedKafka kafka;
  private static LedgerSigner signer;
  private static Path publicKey;

  @BeforeAll
  static void keys(@TempDir Path dir) throws Exception {
    kafka = SharedKafka.get();
    signer = TestKeys.signer();
    publicKey = dir.resolve("ledger.pub.pem");
    Files.writeString(publicKey, signer.publicKey().toPem());
  }

  @Test
  void verify_untouchedLedger_authenticatesCoveredRecordsByTheirCheckpoint() {
    Ledger ledger = new Ledger(signer).triggers(5).checkpoint().triggers(2);

    VerifyCommandTest.Run run = verify(ledger.topic());
    VerifyCommandTest.Run every = verify(ledger.topic(), "--every-signature");
    VerifyCommandTest.Run json = verify(ledger.topic(), "--json");

    assertThat(run.exitCode()).isEqualTo(0);
    // The checkpoint record and the two after it: nothing covers them yet.
    assertThat(run.out())
        .startsWith("OK: 8 records verified, head seq 7 ")
        .contains("; signatures: 3 verified individually, 5 authenticated by checkpoints\n");
    assertThat(every.exitCode()).isEqualTo(0);
    assertThat(every.out())
        .contains("; signatures: every record's verified individually (--every-signature)\n");
    JsonNode result = Chains.tree(json.out().strip().getBytes(StandardCharsets.UTF_8));
    assertThat(result.path("signatures").path("mode").asText()).isEqualTo("checkpoints");
    assertThat(result.path("signatures").path("verifiedIndividually").asLong()).isEqualTo(3);
  }

  @Test
  void verify_byteFlippedInRecordCoveredByCheckpoint_failsInBothModes() {
    Ledger ledger = new Ledger(signer).triggers(5).checkpoint().triggers(1);
    byte[] genuine = ledger.values.get(2);
    ledger.values.set(2, Topics.flipByte(genuine, genuine.length / 2));
    String topic = ledger.topic();

    VerifyCommandTest.Run checkpoints = verify(topic);
    VerifyCommandTest.Run every = verify(topic, "--every-signature");

    assertThat(checkpoints.exitCode()).isEqualTo(1);
    assertThat(checkpoints.out()).startsWith("FAIL at seq 2: ");
    assertThat(every.exitCode()).isEqualTo(1);
    assertThat(every.out()).startsWith("FAIL at seq 2: ");
  }

  @Test
  void verify_badSignatureAfterTheNewestCheckpoint_failsByDefault() {
    Ledger ledger =
        new Ledger(signer)
            .triggers(5)
            .checkpoint()
            .triggers(1)
            .trigger(SignatureModeAuditTest::zeroSignature)
            .triggers(1);

    VerifyCommandTest.Run run = verify(ledger.topic());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("the checkpoint pass stopped at seq 7 (BAD_SIGNATURE)");
    // Verified again with every signature: the record at seq 7 is not the ledger's, so the next
    // one breaks the chain there.
    assertThat(run.out()).startsWith("FAIL at seq 7: ");
    assertThat(run.out()).contains("INJECTED at offset 7: BAD_SIGNATURE");
  }

  /**
   * The documented difference between the modes: the key holder can sign a checkpoint over a record
   * whose own signature is bad. By default the checkpoint authenticates it (the same key signed
   * both, and the checkpoint commits to its every byte); with {@code --every-signature} its
   * signature is verified and it fails.
   */
  @Test
  void verify_badSignatureCoveredByKeyHoldersCheckpoint_passesByDefaultFailsWithEverySignature() {
    Ledger ledger =
        new Ledger(signer)
            .triggers(2)
            .trigger(SignatureModeAuditTest::zeroSignature)
            .triggers(2)
            .checkpoint()
            .triggers(1);
    String topic = ledger.topic();

    VerifyCommandTest.Run checkpoints = verify(topic);
    VerifyCommandTest.Run every = verify(topic, "--every-signature");

    assertThat(checkpoints.exitCode()).isEqualTo(0);
    assertThat(checkpoints.out())
        .startsWith("OK: 7 records verified, ")
        .contains("; signatures: 2 verified individually, 5 authenticated by checkpoints");
    assertThat(every.exitCode()).isEqualTo(1);
    assertThat(every.out())
        .startsWith("FAIL at seq 2: ")
        .contains("INJECTED at offset 2: BAD_SIGNATURE");
  }

  @Test
  void verify_nonCanonicalBase64SignatureCoveredByCheckpoint_failsInBothModes() {
    Ledger ledger =
        new Ledger(signer)
            .triggers(2)
            .trigger(SignatureModeAuditTest::nonCanonicalSignature)
            .triggers(2)
            .checkpoint();
    String topic = ledger.topic();

    VerifyCommandTest.Run checkpoints = verify(topic);
    VerifyCommandTest.Run every = verify(topic, "--every-signature");

    assertThat(checkpoints.exitCode()).isEqualTo(1);
    assertThat(checkpoints.err()).contains("the checkpoint pass stopped at seq 2 (INVALID_RECORD)");
    assertThat(checkpoints.out()).startsWith("FAIL at seq 2: ");
    assertThat(every.exitCode()).isEqualTo(1);
    assertThat(every.out()).startsWith("FAIL at seq 2: ");
  }

  /**
   * A key rotation changes which key is trusted, so its own signature is always verified: a
   * checkpoint signed by the key it announces does not stand in for it.
   */
  @Test
  void verify_keyRotationWithBadSignatureCoveredByNewKeysCheckpoint_isNotAccepted()
      throws Exception {
    LedgerSigner next = TestKeys.signer();
    Ledger ledger =
        new Ledger(signer)
            .triggers(2)
            .rotation(next, SignatureModeAuditTest::zeroSignature)
            .triggers(2)
            .checkpoint()
            .triggers(1);

    LedgerVerifier chain =
        LedgerVerifier.trusting(
            List.of(signer.publicKey()), Optional.of(ORIGIN), MerkleTree.inMemory());
    try (ParallelVerifier verifier =
        new ParallelVerifier(chain, 2, SignatureMode.CHECKPOINTS, null, (e, v) -> {})) {
      long offset = 0;
      for (byte[] value : ledger.values) {
        verifier.accept(offset++, value);
      }
      verifier.finish();
      assertThat(verifier.abandoned())
          .hasValueSatisfying(
              e -> {
                assertThat(e.seq()).isEqualTo(2);
                assertThat(e.reason()).isEqualTo(ChainException.Reason.BAD_SIGNATURE);
              });
    }
    VerifyCommandTest.Run run = verify(ledger.topic());

    // Verified again with every signature: the rotation is not the ledger's, so neither is
    // anything the key it announces signed.
    assertThat(run.out())
        .startsWith("OK: 2 records verified, ")
        .contains("INJECTED at offset 2: BAD_SIGNATURE")
        .contains("INJECTED at offset 3: UNKNOWN_KEY");
  }

  private static byte[] zeroSignature(byte[] value) {
    return Chains.edit(
        value,
        t -> t.put(LedgerRecord.SIGNATURE_FIELD, Base64.getEncoder().encodeToString(new byte[64])));
  }

  /** The genuine signature with a low bit set that base64 decoding ignores. */
  private static byte[] nonCanonicalSignature(byte[] value) {
    return Chains.edit(
        value,
        t -> {
          String signature = t.get(LedgerRecord.SIGNATURE_FIELD).asText();
          // 64 bytes are 88 characters ending "X==": X carries 2 bits and 4 zero bits.
          String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
          int last = alphabet.indexOf(signature.charAt(85));
          String spelled =
              signature.substring(0, 85) + alphabet.charAt(last ^ 1) + signature.substring(86);
          t.put(LedgerRecord.SIGNATURE_FIELD, spelled);
        });
  }

  private static VerifyCommandTest.Run verify(String topic, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "verify",
                "--bootstrap-server",
                kafka.bootstrapServers(),
                "--topic",
                topic,
                "--public-key",
                publicKey.toString()));
    args.addAll(List.of(more));
    return VerifyCommandTest.run(args.toArray(String[]::new));
  }

  /**
   * A ledger built record by record as the writer would, except that a record may be tampered with
   * before the next is chained to it: every later prev, tree leaf and checkpoint is over the
   * tampered bytes, as a key holder who wrote them would make them.
   */
  private static final class Ledger {
    final List<byte[]> values = new ArrayList<>();
    private LedgerSigner signer;
    private CheckpointIssuer issuer;
    private ChainHead head = ChainHead.EMPTY;
    private final MerkleTree tree = MerkleTree.inMemory();
    private Optional<Checkpoint> last = Optional.empty();

    Ledger(LedgerSigner signer) {
      this.signer = signer;
      this.issuer = new CheckpointIssuer(ORIGIN, signer);
    }

    Ledger triggers(int count) {
      for (int i = 0; i < count; i++) {
        trigger(UnaryOperator.identity());
      }
      return this;
    }

    Ledger trigger(UnaryOperator<byte[]> tamper) {
      long n = head.size();
      byte[] value =
          RecordBuilder.build(head, Chains.trigger("event-" + n, n), TIME.plusMillis(n), signer);
      add(tamper.apply(value));
      return this;
    }

    Ledger rotation(LedgerSigner next, UnaryOperator<byte[]> tamper) {
      add(tamper.apply(RecordBuilder.keyRotation(head, next.publicKey(), TIME, signer)));
      signer = next;
      issuer = new CheckpointIssuer(ORIGIN, next);
      return this;
    }

    Ledger checkpoint() {
      try {
        Checkpoint checkpoint = issuer.issue(tree, head.size(), last);
        add(
            RecordBuilder.checkpoint(
                head, checkpoint.toPayload(), TIME.plusMillis(head.size()), signer));
        last = Optional.of(checkpoint);
      } catch (CheckpointException e) {
        throw new IllegalStateException(e);
      }
      return this;
    }

    private void add(byte[] value) {
      values.add(value);
      head = head.append(Sha256.digest(value));
      tree.append(value);
    }

    String topic() {
      String topic = SharedKafka.newTopic(EventType.LEDGER_RECORD);
      Topics.writeValues(kafka.bootstrapServers(), topic, values);
      return topic;
    }
  }
}
