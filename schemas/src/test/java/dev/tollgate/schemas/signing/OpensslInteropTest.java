package dev.tollgate.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed form checked with openssl alone, both ways, as a third party would: keys made by
 * {@code openssl genpkey}, our signature verified by {@code openssl pkeyutl -verify -rawin}, and
 * openssl's signature over the same bytes verified by us.
 */
class OpensslInteropTest {

  private static final byte[] DATA = "{\"outcome\":\"admitted\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  @Test
  void signedBytes_oursVerifiedByOpenssl_andOpensslsVerifiedByUs() throws Exception {
    requireOpenssl();
    Path privatePem = dir.resolve("key.pem");
    Path publicPem = dir.resolve("key.pub.pem");
    openssl("genpkey", "-algorithm", "ED25519", "-out", privatePem.toString());
    openssl("pkey", "-in", privatePem.toString(), "-pubout", "-out", publicPem.toString());
    EventSigningKey key = EventSigningKey.read(privatePem);
    EventPublicKey publicKey = EventPublicKey.read(publicPem);
    assertThat(publicKey).isEqualTo(key.publicKey());

    Headers headers = EventSignaturesTest.headers("d-1");
    EventSignatures.sign(headers, DATA, key);
    Path signed = dir.resolve("signed.json");
    Files.write(signed, EventSignatures.signedBytes(headers, key.keyId(), DATA));
    Path ours = dir.resolve("ours.sig");
    Files.write(
        ours,
        java.util.Base64.getDecoder()
            .decode(headers.lastHeader(EventSignatures.SIGNATURE).value()));

    String verified =
        openssl(
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            publicPem.toString(),
            "-rawin",
            "-in",
            signed.toString(),
            "-sigfile",
            ours.toString());
    assertThat(verified).contains("Signature Verified Successfully");

    Path theirs = dir.resolve("theirs.sig");
    openssl(
        "pkeyutl",
        "-sign",
        "-inkey",
        privatePem.toString(),
        "-rawin",
        "-in",
        signed.toString(),
        "-out",
        theirs.toString());
    headers.remove(EventSignatures.SIGNATURE);
    headers.add(
        EventSignatures.SIGNATURE,
        java.util.Base64.getEncoder().encode(Files.readAllBytes(theirs)));
    assertThat(
            EventSignatures.verify(headers, DATA, EventKeyRing.of("verifier", List.of(publicKey))))
        .isEqualTo(new EventSignatures.Verified(key.keyId()));
  }

  private static String openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  private static void requireOpenssl() throws InterruptedException {
    try {
      Process probe = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      probe.waitFor(30, TimeUnit.SECONDS);
      return;
    } catch (IOException e) {
      if (System.getenv("CI") != null) {
        throw new AssertionError("CI is set and openssl is missing; run deploy/local/prereqs", e);
      }
      Assumptions.abort("openssl is missing; run deploy/local/prereqs");
    }
  }
}
