package dev.tollgate.deploy.demo.content;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes the demo's trust configuration ({@code trust/trust.yaml} with the two public keys) and its
 * TriggerPolicies into the verifier's policy directory: {@code octo-org/hello-world} runs the
 * signed bundle, {@code octo-org/tampered} names the unsigned one (denied {@code
 * SIGNATURE_MISSING}). Each file is written beside and moved into place, so the verifier's reload
 * never reads half a file.
 */
public final class DemoPolicies {
  /** The repository whose pushes to main are admitted. */
  public static final String ADMITTED_REPOSITORY = "octo-org/hello-world";

  /** The repository whose bundle is unsigned. */
  public static final String DENIED_REPOSITORY = "octo-org/tampered";

  private static final String SENDER_NOTE =
      "# The local stack has no GitHub API to look up the sender's permission, so this demo policy\n"
          + "# requires no verified sender identity (minPermission: none, requireVerified: false).\n"
          + "# A real installation keeps the strict default (write permission, verified through\n"
          + "# the gateway's GitHub App or token): see README, \"Deploying to a cluster\".\n";

  private DemoPolicies() {}

  /** Writes everything into {@code dir}, replacing what an earlier start wrote. */
  public static void write(
      Path dir, DemoContent.Pushed pushed, DemoSigner release, DemoSigner scanner)
      throws IOException {
    Path trust = Files.createDirectories(dir.resolve("trust"));
    put(trust.resolve("release.pub"), release.publicKeyPem());
    put(trust.resolve("scanner.pub"), scanner.publicKeyPem());
    put(
        trust.resolve("trust.yaml"),
        "# Written by deploy/local/up on every start: the demo's keys are generated fresh then.\n"
            + "# Bundles must carry a cosign signature by the release key; step images need a\n"
            + "# vulnerability scan (nothing Critical or High) and provenance signed by the scanner\n"
            + "# key (the defaults; see README, \"What a bundle must satisfy\").\n"
            + "bundleSigners:\n"
            + "  keys:\n"
            + "    - {name: "
            + release.name()
            + ", publicKeyFile: release.pub}\n"
            + "attestationSigners:\n"
            + "  keys:\n"
            + "    - {name: "
            + scanner.name()
            + ", publicKeyFile: scanner.pub}\n");
    put(
        dir.resolve("hello-world.yaml"),
        policy(
            "hello-world", ADMITTED_REPOSITORY, DemoContent.Pushed.tagged(pushed.signedBundle())));
    put(
        dir.resolve("tampered.yaml"),
        policy("tampered", DENIED_REPOSITORY, DemoContent.Pushed.tagged(pushed.unsignedBundle())));
  }

  private static String policy(String name, String repository, String bundle) {
    return "# Demo policy written by deploy/local/up on every start.\n"
        + SENDER_NOTE
        + "apiVersion: tollgate.dev/v1alpha1\n"
        + "kind: TriggerPolicy\n"
        + "metadata:\n"
        + "  name: "
        + name
        + "\n"
        + "spec:\n"
        + "  mode: enforce\n"
        + "  match:\n"
        + "    repositories: ['"
        + repository
        + "']\n"
        + "    events: [push]\n"
        + "    branches: [main]\n"
        + "  sender:\n"
        + "    minPermission: none\n"
        + "    requireVerified: false\n"
        + "  run:\n"
        + "    bundle: "
        + bundle
        + "\n"
        + "    pipeline: "
        + DemoContent.PIPELINE
        + "\n"
        + "    namespace: demo-"
        + name
        + "\n"
        + "    params:\n"
        + "      revision: $(trigger.headSha)\n"
        + "      repository: $(body.repository.full_name)\n"
        + "  trust: {policyFile: trust/trust.yaml}\n";
  }

  private static void put(Path file, String content) throws IOException {
    Path next = file.resolveSibling("." + file.getFileName() + ".next");
    Files.writeString(next, content, StandardCharsets.UTF_8);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
