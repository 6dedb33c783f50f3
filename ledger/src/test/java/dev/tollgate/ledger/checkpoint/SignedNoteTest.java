package dev.tollgate.ledger.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed notes against the reference example. The C2SP signed-note spec's own example (the
 * quasimodo.example note) publishes no public key, so it cannot be verified; the PeterNeumann key
 * and note are the reference implementation's, golang.org/x/mod/sumdb/note, note_test.go (TestSign,
 * TestOpen, TestNewVerifier; https://github.com/golang/mod, commit
 * 02c991387e35f9e4c0a9b7ce137717055f8d716d), which the spec was extracted from.
 */
class SignedNoteTest {

  private static final String PETER_VKEY =
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  // The signer key in the same source: "PRIVATE+KEY+PeterNeumann+c74f20a3+" then base64 of the
  // 0x01 type byte and the 32-byte Ed25519 seed.
  private static final String PETER_SKEY_MATERIAL = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  private static final String TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  private static final String PETER_SIG =
      "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  private static final String ENOCH_SIG =
      "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
  private static final String NOTE = TEXT + "\n" + PETER_SIG;

  /** PKCS#8 (RFC 8410) wrapping of a 32-byte Ed25519 private key, as openssl genpkey writes it. */
  private static final String PKCS8_PREFIX = "302e020100300506032b657004220420";

  @TempDir Path dir;

  @Test
  void verify_referenceNoteWithReferenceVerifierKey_accepts() throws Exception {
    NoteKey peter = NoteKey.parse(PETER_VKEY);

    SignedNote note = SignedNote.parse(NOTE.getBytes(StandardCharsets.UTF_8));
    note.verify(peter);

    assertThat(note.text()).isEqualTo(TEXT);
    assertThat(peter.keyIdHex()).isEqualTo("c74f20a3");
    assertThat(note.format()).isEqualTo(NOTE);
  }

  @Test
  void sign_referenceKeyThroughLedgerSigner_reproducesTheReferenceNoteAndVerifierKey()
      throws Exception {
    LedgerSigner signer = peterSigner();
    NoteKey key = NoteKey.of("PeterNeumann", signer.publicKey());

    SignedNote note = SignedNote.sign(TEXT, key, signer);

    // Ed25519 is deterministic (RFC 8032), so the note is byte for byte the published one.
    assertThat(note.format()).isEqualTo(NOTE);
    assertThat(key.vkey()).isEqualTo(PETER_VKEY);
  }

  @Test
  void verify_referenceNoteWithOneChangedLetter_rejectsWithBadSignature() throws Exception {
    SignedNote note = SignedNote.parse(NOTE.replace("cryptography", "cryptographY"));

    assertThatThrownBy(() -> note.verify(NoteKey.parse(PETER_VKEY)))
        .isInstanceOfSatisfying(
            CheckpointException.class,
            e -> assertThat(e.reason()).isEqualTo(CheckpointException.Reason.BAD_SIGNATURE));
  }

  @Test
  void verify_signatureByAnUnknownKeyBeside_isIgnored() throws Exception {
    SignedNote note = SignedNote.parse(TEXT + "\n" + PETER_SIG + ENOCH_SIG);

    note.verify(NoteKey.parse(PETER_VKEY));

    assertThat(note.signatures()).hasSize(2);
  }

  @Test
  void verify_onlyUnknownKeysSigned_rejects() throws Exception {
    SignedNote note = SignedNote.parse(TEXT + "\n" + ENOCH_SIG);

    assertThatThrownBy(() -> note.verify(NoteKey.parse(PETER_VKEY)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("no signature by");
  }

  @Test
  void parse_malformedNotes_areRejected() {
    // The reference's own malformed-message cases (TestOpen, badMsgs).
    String[] malformed = {
      TEXT,
      TEXT + "\n",
      TEXT + "\n" + PETER_SIG.substring(0, PETER_SIG.length() - 1),
      "\u0001" + TEXT + "\n" + PETER_SIG,
      TEXT
          + "\n"
          + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
      TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    };
    for (String note : malformed) {
      assertThatThrownBy(() -> SignedNote.parse(note))
          .as(note)
          .isInstanceOf(CheckpointException.class);
    }
    byte[] notUtf8 = ("x" + NOTE).getBytes(StandardCharsets.UTF_8);
    notUtf8[0] = (byte) 0xff;
    assertThatThrownBy(() -> SignedNote.parse(notUtf8)).isInstanceOf(CheckpointException.class);
  }

  @Test
  void parse_verifierKeyWithWrongKeyId_isRejected() {
    assertThatThrownBy(() -> NoteKey.parse(PETER_VKEY.replace("c74f20a3", "c74f20a4")))
        .isInstanceOf(CheckpointException.class);
    assertThatThrownBy(() -> NoteKey.parse("PeterNeumann+c74f20a3"))
        .isInstanceOf(CheckpointException.class);
    assertThatThrownBy(() -> NoteKey.parse(PETER_VKEY + "+extra"))
        .isInstanceOf(CheckpointException.class);
  }

  @Test
  void signNote_textThatIsNotNoteText_isRefused() {
    LedgerSigner signer = TestKeys.signer();

    assertThatThrownBy(() -> signer.signNote("{\"seq\":0}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> signer.signNote("a\u0000b\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private LedgerSigner peterSigner() throws Exception {
    byte[] material = Base64.getDecoder().decode(PETER_SKEY_MATERIAL);
    assertThat(material[0]).as("Ed25519 type byte").isEqualTo((byte) 0x01);
    byte[] seed = Arrays.copyOfRange(material, 1, material.length);
    Path file = dir.resolve("peter.pem");
    Files.writeString(
        file,
        TestKeys.pem(
            "PRIVATE KEY", HexFormat.of().parseHex(PKCS8_PREFIX + HexFormat.of().formatHex(seed))),
        StandardCharsets.US_ASCII);
    return LedgerSigner.fromKeyFile(file);
  }
}
