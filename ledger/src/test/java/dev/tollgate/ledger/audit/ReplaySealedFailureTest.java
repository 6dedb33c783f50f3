package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How {@code replay} and {@code sealed} end when the ledger cannot be read or does not verify: the
 * same words, on the same stream, with the same exit code, for both. A ledger that does not verify
 * is {@code FAIL at seq <n>: ...} on stdout (exit 1), after whatever verified before it; a ledger
 * that cannot be read is {@code ERROR: ...} on stderr (exit 2). Offline: exports written here.
 */
class ReplaySealedFailureTest {

  @TempDir Path tmp;

  private TestKeys.KeyFiles keys;
  private Path export;
  private Path store;

  @BeforeEach
  void writeExport() throws IOException {
    keys = TestKeys.generate(Files.createDirectories(tmp.resolve("keys")));
    store = Files.createDirectories(tmp.resolve("sealed"));
    List<byte[]> values = new ArrayList<>(Chains.build(keys.signer(), 4));
    List<SourceEvent> other = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      other.add(Chains.trigger("other-" + i, i));
    }
    // Seq 3 of another history signed by the same key: the first three verify, seq 3 is a fork.
    values.set(3, Chains.build(keys.signer(), other).get(3));
    export = export("export", values);
  }

  @ParameterizedTest
  @ValueSource(strings = {"replay", "sealed"})
  void command_noPublicKey_usageErrorOnStderr(String command) {
    Run run = run(command, "--bootstrap-server", "localhost:1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("ERROR: --public-key is required\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"replay", "sealed"})
  void command_exportWithoutPublicKey_refusesTheExportsOwnKeys(String command) {
    Run run = run(command, "--from-export", export.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "ERROR: an export's own keys prove nothing: give --public-key with the ledger's first"
                + " public key, or --checkpoint with a checkpoint you kept and --witness-key for"
                + " the witnesses that cosigned it\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"replay", "sealed"})
  void command_directoryWithoutManifest_usageError(String command) throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));

    Run run = run(command, "--from-export", empty.toString(), "--public-key", key());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("ERROR: cannot read the manifest of export " + empty + "\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"replay", "sealed"})
  void command_exportWithoutRecords_cannotReadUsageError(String command) throws IOException {
    Path dir = export("no-records", List.of());
    Files.delete(dir.resolve(ExportDirectory.RECORDS));

    Run run = run(command, "--from-export", dir.toString(), "--public-key", key());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "ERROR: cannot read " + dir + ": " + dir.resolve(ExportDirectory.RECORDS) + "\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"replay", "sealed"})
  void command_topicWithoutBroker_usageError(String command) {
    Run run = run(command, "--public-key", key());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo("ERROR: --bootstrap-server is required to read a ledger topic\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"replay", "sealed"})
  void command_otherKey_injectedValuesThenFailsAtSeqZero(String command) throws IOException {
    TestKeys.KeyFiles other = TestKeys.generate(Files.createDirectories(tmp.resolve("other")));

    Run run =
        run(
            command,
            "--from-export",
            export.toString(),
            "--public-key",
            other.publicKey().toString());

    assertThat(run.exitCode()).isEqualTo(1);
    // Each value signed by a key not in force is reported as injected: in place among replay's
    // output, on stderr for sealed; then the failure, on stdout.
    List<String> injected = (command.equals("replay") ? run.out() : run.err()).lines().toList();
    assertThat(injected.subList(0, 4))
        .allSatisfy(l -> assertThat(l).startsWith("INJECTED at offset ").contains("UNKNOWN_KEY"));
    assertThat(run.out()).endsWith("\n");
    assertThat(run.out().lines().toList().get(run.out().lines().toList().size() - 1))
        .startsWith(
            "FAIL at seq 0: UNKNOWN_KEY: no value on the topic is a record signed by the trusted"
                + " ledger key(s) [");
    assertThat(run.out().lines()).hasSize(command.equals("replay") ? 5 : 1);
    assertThat(run.err().lines()).hasSize(command.equals("replay") ? 0 : 4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"replay", "sealed"})
  void command_forkedRecord_failsAtItsSeqAfterWhatVerified(String command) {
    Run run = run(command, "--from-export", export.toString(), "--public-key", key());

    assertThat(run.exitCode()).isEqualTo(1);
    List<String> lines = run.out().lines().toList();
    // replay shows the records that verified before the failure; sealed has no sealed parts here.
    assertThat(lines).hasSize(command.equals("replay") ? 4 : 1);
    assertThat(lines.get(lines.size() - 1)).startsWith("FAIL at seq 3: PREV_MISMATCH: ");
    if (command.equals("replay")) {
      assertThat(lines.subList(0, 3))
          .satisfiesExactly(
              l -> assertThat(l).startsWith("#0 "),
              l -> assertThat(l).startsWith("#1 "),
              l -> assertThat(l).startsWith("#2 "));
    }
    assertThat(run.err()).isEmpty();
  }

  private Run run(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of(args));
    if (command.equals("sealed")) {
      all.addAll(List.of("--sealed-store", store.toString()));
    }
    return VerifyCommandTest.run(all.toArray(String[]::new));
  }

  private String key() {
    return keys.publicKey().toString();
  }

  private Path export(String name, List<byte[]> values) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    try (var out = Files.newOutputStream(dir.resolve(ExportDirectory.RECORDS))) {
      for (byte[] value : values) {
        ExportDirectory.writeRecord(out, value);
      }
    }
    Files.writeString(
        dir.resolve(ExportDirectory.MANIFEST),
        "{\"format\":\"" + ExportDirectory.FORMAT + "\",\"size\":" + values.size() + "}");
    return dir;
  }
}
