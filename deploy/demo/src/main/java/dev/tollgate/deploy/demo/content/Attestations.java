package dev.tollgate.deploy.demo.content;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.demo.oci.Descriptor;
import dev.tollgate.deploy.demo.oci.RegistryClient;
import dev.tollgate.deploy.demo.oci.RegistryException;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Signed in-toto attestations for an image, as {@code cosign attest} stores them under {@code
 * sha256-<hex>.att}: a cosign vuln v1 scan with no findings (so nothing Critical or High) and SLSA
 * provenance v1 from Tekton Chains, each a DSSE envelope signed by the scanner key. The verifier's
 * service tests attest their images with it too, so the demo and the tests push the same thing.
 */
public final class Attestations {
  static final String VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";
  static final String PROVENANCE = "https://slsa.dev/provenance/v1";
  private static final String IN_TOTO = "application/vnd.in-toto+json";

  private Attestations() {}

  /** Attaches a clean scan finished at {@code now} and provenance to {@code subject}. */
  public static void attach(
      RegistryClient registry, String repo, String subject, DemoSigner scanner, Instant now)
      throws RegistryException {
    ObjectNode grype = Json.mapper().createObjectNode();
    grype.putArray("matches");
    grype
        .putObject("descriptor")
        .put("name", "grype")
        .put("version", "0.80.0")
        .put("timestamp", now.toString());
    ObjectNode scan = Json.mapper().createObjectNode();
    scan.putObject("invocation").put("uri", "");
    scan.putObject("scanner")
        .put("uri", "pkg:github/anchore/grype@0.80.0")
        .put("version", "0.80.0")
        .set("result", grype);
    scan.putObject("metadata")
        .put("scanStartedOn", now.minusSeconds(60).toString())
        .put("scanFinishedOn", now.toString());
    ObjectNode provenance = Json.mapper().createObjectNode();
    provenance.putObject("buildDefinition").put("buildType", "https://tekton.dev/chains/v2/slsa");
    provenance
        .putObject("runDetails")
        .putObject("builder")
        .put("id", "https://tekton.dev/chains/v2");
    List<Descriptor> layers = new ArrayList<>();
    for (ObjectNode statement :
        List.of(statement(subject, VULN, scan), statement(subject, PROVENANCE, provenance))) {
      byte[] payload = Json.writeBytes(statement);
      ObjectNode envelope = Json.mapper().createObjectNode();
      envelope.put("payloadType", IN_TOTO);
      envelope.put("payload", Base64.getEncoder().encodeToString(payload));
      envelope
          .putArray("signatures")
          .addObject()
          .put("keyid", "")
          .put("sig", scanner.sign(pae(IN_TOTO, payload)));
      layers.add(
          registry.blob(
              repo,
              RegistryClient.DSSE_ENVELOPE,
              Json.writeBytes(envelope),
              Map.of("predicateType", statement.path("predicateType").asText())));
    }
    registry.attachment(repo, subject, "att", layers);
  }

  /** An in-toto v1 statement about the image {@code subject} ({@code sha256:<hex>}). */
  public static ObjectNode statement(String subject, String predicateType, ObjectNode predicate) {
    ObjectNode s = Json.mapper().createObjectNode();
    s.put("_type", "https://in-toto.io/Statement/v1");
    s.putArray("subject")
        .addObject()
        .put("name", "image")
        .putObject("digest")
        .put("sha256", subject.substring("sha256:".length()));
    s.put("predicateType", predicateType);
    s.set("predicate", predicate);
    return s;
  }

  /** DSSE's pre-authentication encoding: what a DSSE signature signs. */
  public static byte[] pae(String type, byte[] payload) {
    byte[] head =
        ("DSSEv1 "
                + type.getBytes(StandardCharsets.UTF_8).length
                + " "
                + type
                + " "
                + payload.length
                + " ")
            .getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + payload.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }
}
