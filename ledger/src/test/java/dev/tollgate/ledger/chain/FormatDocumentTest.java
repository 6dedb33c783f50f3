package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.checkpoint.SourceGap;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.privacy.SealedCheck;
import dev.tollgate.ledger.privacy.SealedPart;
import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.ledger.witness.Cosignature;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keeps ledger-format.md true. The document states, in output blocks marked {@code <!-- expect:
 * NAME -->}, what openssl, sha256sum and friends print for the example ledger in
 * schemas/examples/ledger; each test here computes the same block with our own code on the same
 * files and requires the document to say exactly that. Signature lines ("Signature Verified
 * Successfully") are written from our verifier's answer, so they are checked too.
 */
class FormatDocumentTest {

  private static final Path ROOT = Path.of(System.getProperty("tollgate.root"));
  private static final Path DOCUMENT =
      ROOT.resolve("schemas/src/main/resources/dev/tollgate/schemas/ledger-format.md");
  private static final Path EXAMPLE = ROOT.resolve("schemas/examples/ledger");
  private static final String ORIGIN = "tollgate.dev/ledger/tollgate.ledger.v1";
  private static final Pattern EXPECT =
      Pattern.compile("<!-- expect: ([a-z0-9-]+) -->\n```text\n(.*?)```\n", Pattern.DOTALL);
  private static final String VERIFIED = "Signature Verified Successfully";
  private static final String NOT_VERIFIED = "Signature Verification Failure";

  private Map<String, List<String>> expected;
  private List<byte[]> values;
  private List<JsonNode> records;
  private LedgerPublicKey firstKey;

  @BeforeEach
  void read() throws Exception {
    expected = new HashMap<>();
    Matcher m = EXPECT.matcher(Files.readString(DOCUMENT, StandardCharsets.UTF_8));
    while (m.find()) {
      assertThat(expected.put(m.group(1), lines(m.group(2)))).as(m.group(1)).isNull();
    }
    values = new ArrayList<>();
    records = new ArrayList<>();
    for (String line :
        Files.readAllLines(EXAMPLE.resolve("records.jsonl"), StandardCharsets.UTF_8)) {
      byte[] value = line.getBytes(StandardCharsets.UTF_8);
      values.add(value);
      records.add(Json.readTree(value));
    }
    firstKey = LedgerPublicKey.read(EXAMPLE.resolve("ledger.pub.pem"));
  }

  @Test
  void verifyNext_documentedExampleLedger_acceptedFromTheFirstKeyAloneThroughItsRotation()
      throws Exception {
    LedgerVerifier ledger =
        LedgerVerifier.trusting(List.of(firstKey), Optional.of(ORIGIN), MerkleTree.inMemory());
    for (byte[] value : values) {
      assertThat(CanonicalJson.bytes(Json.readTree(value))).as("stored canonical").isEqualTo(value);
      ledger.verifyNext(value);
    }

    assertThat(ledger.head().size()).isEqualTo(7);
    assertThat(ledger.checkpointCount()).isEqualTo(2);
    assertThat(ledger.keysInForce())
        .singleElement()
        .satisfies(k -> assertThat(k.keyId()).isEqualTo(text(4, "payload", "keyId")));
  }

  @Test
  void document_everyMarkedBlock_isCheckedHere() {
    assertThat(expected)
        .containsOnlyKeys(
            "key-id",
            "signed-bytes-0",
            "chain",
            "payload-digest-0",
            "leaves",
            "roots",
            "checkpoint-3",
            "note-key",
            "rotation",
            "checkpoint-6",
            "cosignature",
            "sources",
            "sealed-commitment",
            "sealed-restored");
  }

  @Test
  void keyId_exampleKey_isWhatTheDocumentShows() {
    assertThat(expected.get("key-id")).containsExactly(firstKey.keyId() + "  -", text(0, "keyId"));
    assertThat(text(0, "keyId")).isEqualTo(firstKey.keyId());
  }

  @Test
  void signedBytes_firstRecord_hashAndVerdictAreWhatTheDocumentShows() {
    byte[] signed = LedgerRecord.signedBytes(records.get(0));

    assertThat(expected.get("signed-bytes-0"))
        .containsExactly(
            Sha256.hex(signed) + "  -", verdict(firstKey, signed, signature(records.get(0))));
  }

  @Test
  void recordHash_eachRecord_isTheDocumentedHashAndTheNextPrev() {
    List<String> chain = new ArrayList<>();
    chain.add(text(0, "prev"));
    for (int i = 0; i < 6; i++) {
      String hash = LedgerRecord.recordHash(records.get(i)).substring(Sha256.PREFIX.length());
      chain.add("seq " + i + " hash " + hash + "  seq " + (i + 1) + " prev " + text(i + 1, "prev"));
      assertThat(text(i + 1, "prev")).isEqualTo(Sha256.PREFIX + hash);
    }

    assertThat(chain.get(0)).isEqualTo(LedgerRecord.GENESIS_PREV);
    assertThat(expected.get("chain")).isEqualTo(chain);
  }

  @Test
  void payloadDigest_firstRecord_isWhatTheDocumentShows() {
    String digest = Sha256.digest(CanonicalJson.bytes(records.get(0).get("payload")));

    assertThat(expected.get("payload-digest-0"))
        .containsExactly(
            "json", digest.substring(Sha256.PREFIX.length()) + "  -", text(0, "payloadDigest"));
    assertThat(digest).isEqualTo(text(0, "payloadDigest"));
  }

  @Test
  void leafHash_eachRecord_isWhatTheDocumentShows() {
    List<String> leaves = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      leaves.add("leaf " + i + " " + hex(MerkleHash.leaf(values.get(i))));
    }

    assertThat(expected.get("leaves")).isEqualTo(leaves);
  }

  @Test
  void rootHash_sizesThreeAndSix_areWhatTheDocumentShowsAndTheCheckpointsState() {
    MerkleTree tree = tree();

    assertThat(expected.get("roots"))
        .containsExactly("root 3 " + hex(tree.rootHash(3)), "root 6 " + hex(tree.rootHash(6)));
    assertThat(text(3, "payload", "rootHash")).isEqualTo(Sha256.PREFIX + hex(tree.rootHash(3)));
    assertThat(text(6, "payload", "rootHash")).isEqualTo(Sha256.PREFIX + hex(tree.rootHash(6)));
  }

  @Test
  void checkpoint_sizeThree_noteAndRootAreWhatTheDocumentShows() {
    byte[] root = tree().rootHash(3);
    String note = text(3, "payload", "note");
    List<String> block = new ArrayList<>(lines(note));
    block.add(Sha256.PREFIX + hex(root));
    block.add(hex(root));

    assertThat(note)
        .startsWith(ORIGIN + "\n3\n" + Base64.getEncoder().encodeToString(root) + "\n\n");
    assertThat(expected.get("checkpoint-3")).isEqualTo(block);
  }

  @Test
  void noteKey_firstKeyUnderTheOrigin_keyIdVkeyAndNoteSignatureAreWhatTheDocumentShows()
      throws Exception {
    NoteKey key = NoteKey.of(ORIGIN, firstKey);
    SignedNote note = SignedNote.parse(text(3, "payload", "note"));
    SignedNote.Signature line = note.signatures().get(0);

    assertThat(expected.get("note-key"))
        .containsExactly(
            key.keyIdHex(),
            key.vkey(),
            hex(line.keyId()),
            verdict(firstKey, note.text().getBytes(StandardCharsets.UTF_8), line.signature()));
    assertThat(line.keyId()).isEqualTo(key.keyId());
  }

  @Test
  void rotation_announcedKey_signsFromItsFromSeqAndTheOldKeyNoLonger() throws Exception {
    JsonNode payload = records.get(4).get("payload");
    LedgerPublicKey next =
        LedgerPublicKey.fromRaw(Base64.getDecoder().decode(payload.get("publicKey").asText()));
    byte[] signed = LedgerRecord.signedBytes(records.get(5));
    byte[] signature = signature(records.get(5));

    assertThat(expected.get("rotation"))
        .containsExactly(
            new String(CanonicalJson.bytes(payload), StandardCharsets.UTF_8),
            next.keyId() + "  -",
            text(5, "keyId"),
            verdict(next, signed, signature),
            verdict(firstKey, signed, signature));
    assertThat(payload.get("fromSeq").asLong()).isEqualTo(5);
    assertThat(text(5, "keyId")).isEqualTo(next.keyId());
  }

  @Test
  void checkpoint_afterRotation_isSignedByTheAnnouncedKeyAsTheDocumentShows() throws Exception {
    LedgerPublicKey next =
        LedgerPublicKey.fromRaw(Base64.getDecoder().decode(text(4, "payload", "publicKey")));
    NoteKey key = NoteKey.of(ORIGIN, next);
    SignedNote note = SignedNote.parse(text(6, "payload", "note"));
    SignedNote.Signature line = note.signatures().get(0);

    assertThat(expected.get("checkpoint-6"))
        .containsExactly(
            hex(line.keyId()),
            key.keyIdHex(),
            verdict(next, note.text().getBytes(StandardCharsets.UTF_8), line.signature()));
  }

  @Test
  void cosignature_exampleWitness_verifiesOverTheCheckpointAsTheDocumentShows() throws Exception {
    String cosigned =
        Files.readString(EXAMPLE.resolve("checkpoint-6.cosigned.txt"), StandardCharsets.UTF_8);
    String vkey = Files.readString(EXAMPLE.resolve("witness.vkey"), StandardCharsets.UTF_8).strip();
    WitnessKey witness = WitnessKey.parse(vkey);
    SignedNote note = SignedNote.parse(cosigned);
    Cosignature cosignature = Cosignature.of(note.signatures().get(1)).orElseThrow();
    boolean sameCheckpoint =
        SignedNote.parse(text(6, "payload", "note"))
            .format()
            .equals(new SignedNote(note.text(), note.signatures().subList(0, 1)).format());
    byte[] message = Cosignature.signedMessage(note.text(), cosignature.timestamp());
    LedgerPublicKey witnessKey = witness.publicKey();

    List<String> block = new ArrayList<>(lines(cosigned));
    block.addAll(
        List.of(
            sameCheckpoint ? "same checkpoint as seq 6" : "(differs)",
            vkey,
            witness.keyIdHex(),
            hex(cosignature.keyId()),
            "time " + cosignature.timestamp() + " = " + cosignature.time(),
            verdict(witnessKey, message, cosignature.signature())));

    assertThat(cosignature.verifies(witness, note.text())).isTrue();
    assertThat(expected.get("cosignature")).isEqualTo(block);
  }

  @Test
  void sources_accountingExample_verifiesWithTheOneDocumentedGapAndListsAsTheDocumentShows()
      throws Exception {
    Path accounting = EXAMPLE.resolve("accounting");
    List<byte[]> chain = new ArrayList<>();
    for (String line :
        Files.readAllLines(accounting.resolve("records.jsonl"), StandardCharsets.UTF_8)) {
      chain.add(line.getBytes(StandardCharsets.UTF_8));
    }
    LedgerVerifier ledger =
        LedgerVerifier.trusting(
            List.of(LedgerPublicKey.read(accounting.resolve("ledger.pub.pem"))),
            Optional.of(ORIGIN),
            MerkleTree.inMemory());
    for (byte[] value : chain) {
      ledger.verifyNext(value);
    }
    assertThat(ledger.checkpointCount()).isEqualTo(2);
    assertThat(ledger.sources().gaps())
        .containsExactly(new SourceGap("tollgate.triggers.v1", 0, 19, 19, 3));

    // The listing of section 12, computed from the records as the document's script does.
    Map<String, Long> recorded = new HashMap<>();
    List<String> listing = new ArrayList<>();
    for (byte[] value : chain) {
      JsonNode r = Json.readTree(value);
      if (!r.get("kind").asText().equals("checkpoint")) {
        JsonNode source = r.get("source");
        recorded.put(
            source.get("topic").asText()
                + "/"
                + source.get("partition").asInt()
                + "@"
                + source.get("offset").asLong(),
            r.get("seq").asLong());
        continue;
      }
      for (JsonNode range : r.get("payload").get("sources")) {
        String partition = range.get("topic").asText() + "/" + range.get("partition").asInt();
        Map<Long, Long> duplicates = new HashMap<>();
        range
            .path("duplicates")
            .forEach(d -> duplicates.put(d.get("offset").asLong(), d.get("seq").asLong()));
        List<String> said = new ArrayList<>();
        for (long o = range.get("fromOffset").asLong(); o < range.get("nextOffset").asLong(); o++) {
          Long seq = recorded.get(partition + "@" + o);
          said.add(
              seq != null
                  ? o + " seq " + seq
                  : duplicates.containsKey(o)
                      ? o + " duplicate of seq " + duplicates.get(o)
                      : o + " UNEXPLAINED");
        }
        listing.add(
            "checkpoint "
                + r.get("seq").asLong()
                + " "
                + partition
                + " ["
                + range.get("fromOffset").asLong()
                + ", "
                + range.get("nextOffset").asLong()
                + "): "
                + String.join(", ", said));
      }
    }
    assertThat(expected.get("sources")).isEqualTo(listing);
  }

  @Test
  void sealed_exampleRecordAndStore_commitmentRestoredDigestAndSignatureAreWhatTheDocumentShows()
      throws Exception {
    Path sealed = EXAMPLE.resolve("sealed");
    byte[] value =
        Files.readAllLines(sealed.resolve("records.jsonl"), StandardCharsets.UTF_8)
            .get(0)
            .getBytes(StandardCharsets.UTF_8);
    LedgerPublicKey key = LedgerPublicKey.read(sealed.resolve("ledger.pub.pem"));
    ChainVerifier.trusting(List.of(key)).verifyNext(value);
    LedgerRecord record = Json.read(value, LedgerRecord.class);
    LedgerRecord.Sealed part = record.sealed().get(0);
    SealedStore store = new SealedStore(sealed.resolve("store"));
    SealedPart kept = store.get(part.commitment()).orElseThrow();
    String hex = part.commitment().substring(Sha256.PREFIX.length());

    assertThat(expected.get("sealed-commitment"))
        .containsExactly(
            "[{\"commitment\": \""
                + part.commitment()
                + "\", \"pointer\": \""
                + part.pointer()
                + "\"}]",
            record.payload().at(part.pointer()).asText(),
            kept.pointer(),
            SealedPart.commitment(Base64.getDecoder().decode(kept.salt()), kept.content())
                    .substring(Sha256.PREFIX.length())
                + "  -");
    assertThat(kept.matchesCommitment()).isTrue();
    assertThat(expected.get("sealed-commitment").get(3)).startsWith(hex);
    SealedCheck.Result check = SealedCheck.check(record, store);
    assertThat(check.ok()).isTrue();
    assertThat(check.digestChecked()).isTrue();
    assertThat(expected.get("sealed-restored"))
        .containsExactly(
            record.payloadDigest().substring(Sha256.PREFIX.length()) + "  -",
            record.payloadDigest(),
            verdict(
                key,
                LedgerRecord.signedBytes(Json.readTree(value)),
                signature(Json.readTree(value))));
  }

  private MerkleTree tree() {
    MerkleTree tree = MerkleTree.inMemory();
    values.forEach(tree::append);
    return tree;
  }

  private String text(int seq, String... path) {
    JsonNode node = records.get(seq);
    for (String field : path) {
      node = node.get(field);
    }
    return node.asText();
  }

  private static byte[] signature(JsonNode record) {
    return Base64.getDecoder().decode(record.get(LedgerRecord.SIGNATURE_FIELD).asText());
  }

  /** What {@code openssl pkeyutl -verify} prints for this signature. */
  private static String verdict(LedgerPublicKey key, byte[] message, byte[] signature) {
    return key.verifies(message, signature) ? VERIFIED : NOT_VERIFIED;
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** The lines of a newline-terminated block, without the empty string after its last newline. */
  private static List<String> lines(String block) {
    assertThat(block).endsWith("\n");
    return Arrays.asList(block.substring(0, block.length() - 1).split("\n", -1));
  }
}
