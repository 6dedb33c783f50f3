package dev.tollgate.verifier.cli;

import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.verifier.engine.PolicyFile;
import dev.tollgate.verifier.engine.RegistryLookups;
import dev.tollgate.verifier.engine.TektonBundleVerifier;
import dev.tollgate.verifier.engine.VerificationPolicy;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciLayoutSource;
import dev.tollgate.verifier.oci.OciSource;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.RegistryCredentials;
import dev.tollgate.verifier.oci.TagCache;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.signature.TrustException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code verify-bundle}: verifies a Tekton bundle reference against a trust/policy file and prints
 * the report, for a platform engineer debugging a policy before it blocks anyone. Exit codes: 0
 * verified, 1 denied, 2 usage or configuration error, 3 transient error (retry).
 */
@Command(
    name = "verify-bundle",
    mixinStandardHelpOptions = true,
    description = "Verify a Tekton bundle: signature, contents, steps, scans and provenance.")
public final class VerifyBundleCommand implements Callable<Integer> {
  public static final int VERIFIED = 0;
  public static final int DENIED = 1;
  public static final int USAGE = 2;
  public static final int TRANSIENT = 3;

  /** Output formats. */
  enum Output {
    text,
    json
  }

  @Parameters(index = "0", description = "Bundle reference, registry/repository[:tag][@sha256:...]")
  String reference;

  @Option(names = "--policy", required = true, description = "Trust/policy YAML file")
  Path policy;

  @Option(names = "--output", defaultValue = "text", description = "text or json")
  Output output;

  @Option(names = "--docker-config", description = "docker config.json with registry credentials")
  Path dockerConfig;

  @Option(names = "--ca-cert", description = "PEM file of CA certificates for registries")
  Path caCert;

  @Option(names = "--plain-http", description = "Registry host to reach over plain HTTP")
  List<String> plainHttp = new ArrayList<>();

  @Option(
      names = "--pipeline",
      description = "The pipeline that will run: it must be in the bundle; only it is judged")
  String pipeline;

  @Option(names = "--oci-layout", description = "Read from this OCI image layout directory")
  Path layout;

  @Option(
      names = "--lookup-threads",
      defaultValue = "" + RegistryLookups.DEFAULT_THREADS,
      description = "Most registry lookups in flight at once (default: ${DEFAULT-VALUE})")
  int lookupThreads;

  private final PrintWriter out;
  private final PrintWriter err;

  VerifyBundleCommand(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @SuppressForbidden("the command-line entry point writes to the console")
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, java.nio.charset.StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, java.nio.charset.StandardCharsets.UTF_8);
    System.exit(run(out, err, args));
  }

  /** Runs the command; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new VerifyBundleCommand(out, err));
    cli.setOut(out).setErr(err);
    cli.setExitCodeExceptionMapper(e -> USAGE);
    cli.setParameterExceptionHandler(
        (e, a) -> {
          err.println(e.getMessage());
          e.getCommandLine().usage(err);
          return USAGE;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    VerificationPolicy loaded;
    OciSource source;
    try {
      loaded = PolicyFile.load(policy);
      source = source();
    } catch (TrustException e) {
      err.println("configuration error: " + e.getMessage());
      return USAGE;
    } catch (OciException e) {
      err.println("configuration error: " + e.getMessage());
      return USAGE;
    }
    if (lookupThreads < 1 || lookupThreads > RegistryLookups.MAX_THREADS) {
      err.println(
          "configuration error: --lookup-threads must be between 1 and "
              + RegistryLookups.MAX_THREADS);
      return USAGE;
    }
    VerificationReport report;
    try (RegistryLookups lookups = RegistryLookups.create(lookupThreads)) {
      // One verification per run: a tag cache could never answer, so the report says plainly
      // that the tag was resolved now, which is what someone debugging a policy wants to see.
      TektonBundleVerifier verifier =
          TektonBundleVerifier.create(
              source, loaded, Clock.systemUTC(), TagCache.disabled(), lookups);
      report = pipeline == null ? verifier.verify(reference) : verifier.verify(reference, pipeline);
    } catch (TrustException e) {
      err.println("configuration error: " + e.getMessage());
      return USAGE;
    }
    if (output == Output.json) {
      out.println(report.toJson().toPrettyString());
    } else {
      out.print(report.toText());
    }
    out.flush();
    switch (report.verdict()) {
      case VERIFIED:
        return VERIFIED;
      case DENIED:
        return DENIED;
      default:
        return TRANSIENT;
    }
  }

  private OciSource source() throws OciException {
    if (layout != null) {
      return OciLayoutSource.open(layout);
    }
    RegistryClient.Builder b = RegistryClient.builder();
    if (dockerConfig != null) {
      b.credentials(RegistryCredentials.fromDockerConfig(dockerConfig));
    }
    if (caCert != null) {
      b.trustedCertificates(caCert);
    }
    plainHttp.forEach(b::plainHttp);
    return b.build();
  }
}
