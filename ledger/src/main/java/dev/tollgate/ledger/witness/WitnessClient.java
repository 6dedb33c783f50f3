package dev.tollgate.ledger.witness;

import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.SignedNote;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Talks the C2SP tlog-witness protocol to one witness: {@code POST <url>/add-checkpoint} with the
 * old size, the consistency proof from it and the checkpoint note. Every cosignature the witness
 * returns is verified against its configured key and the checkpoint before the caller sees it; an
 * answer is read up to {@value #MAX_RESPONSE} bytes and never echoed beyond one short line.
 */
public final class WitnessClient {

  /** A 200 answer is a few signature lines; a 409 answer, one number. */
  static final int MAX_RESPONSE = 16 * 1024;

  /** tlog-witness: at most 63 proof hashes (a proof of a tree of up to 2^63 leaves). */
  static final int MAX_PROOF = 63;

  private static final Pattern SIZE = Pattern.compile("(0|[1-9][0-9]{0,18})\n?");

  private final URI base;
  private final URI addCheckpoint;
  private final WitnessKey key;
  private final HttpClient http;
  private final Duration timeout;

  /** What the witness said to one submission. */
  public sealed interface Answer {}

  /** The witness cosigned; the cosignature verified. */
  public record Cosigned(Cosignature cosignature) implements Answer {}

  /** The witness last cosigned another size (409): submit again with a proof from that size. */
  public record OtherSize(long witnessSize) implements Answer {}

  /**
   * @param url the witness's submission prefix ({@code <url>/add-checkpoint} is posted to)
   * @param key the witness's cosignature key, which every answer must verify under
   * @param timeout how long one submission may take
   */
  public WitnessClient(URI url, WitnessKey key, Duration timeout) {
    String prefix = url.toString();
    this.base = URI.create(prefix.endsWith("/") ? prefix : prefix + "/");
    this.addCheckpoint = base.resolve("add-checkpoint");
    String scheme = addCheckpoint.getScheme();
    if (!"https".equals(scheme) && !"http".equals(scheme)) {
      throw new IllegalArgumentException("a witness URL is http(s): " + url);
    }
    this.key = key;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** The witness this client talks to. */
  public WitnessKey key() {
    return key;
  }

  /**
   * Submits a checkpoint.
   *
   * @param checkpointNote the checkpoint as a signed note, signed by the log
   * @param oldSize the size of the checkpoint the witness last cosigned, as far as the caller knows
   * @param proof the RFC 6962 consistency proof from {@code oldSize} to the checkpoint's size
   */
  public Answer submit(String checkpointNote, long oldSize, List<byte[]> proof)
      throws WitnessException {
    if (proof.size() > MAX_PROOF) {
      throw new IllegalArgumentException("a consistency proof has at most 63 hashes");
    }
    String text;
    try {
      text = SignedNote.parse(checkpointNote).text();
    } catch (CheckpointException e) {
      throw new IllegalArgumentException("not a signed checkpoint note: " + e.getMessage(), e);
    }
    StringBuilder body = new StringBuilder("old ").append(oldSize).append('\n');
    proof.forEach(hash -> body.append(Base64.getEncoder().encodeToString(hash)).append('\n'));
    body.append('\n').append(checkpointNote);
    HttpRequest request =
        HttpRequest.newBuilder(addCheckpoint)
            .timeout(timeout)
            .header("Content-Type", "text/plain; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
            .build();
    HttpResponse<InputStream> response;
    String answer;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      answer = readBounded(response.body());
    } catch (HttpTimeoutException e) {
      throw unavailable("did not answer within " + timeout, e);
    } catch (IOException e) {
      throw unavailable("could not be reached (" + e.getClass().getSimpleName() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("submission interrupted", e);
    }
    int status = response.statusCode();
    return switch (status) {
      // tlog-witness: the answer appended to the checkpoint text is a signed note.
      case 200 -> new Cosigned(cosignature(text, text + "\n" + answer));
      case 409 -> new OtherSize(size(answer));
      case 422 ->
          throw new WitnessException(
              WitnessException.Reason.ROLLBACK,
              witness()
                  + " refused the consistency proof from size "
                  + oldSize
                  + ": the ledger is not an extension of what it cosigned ("
                  + oneLine(answer)
                  + ")");
      default -> {
        if (status >= 500 || status == 429) {
          throw unavailable("answered " + status + " (" + oneLine(answer) + ")", null);
        }
        throw new WitnessException(
            WitnessException.Reason.REFUSED,
            witness() + " refused the checkpoint: " + status + " " + oneLine(answer));
      }
    };
  }

  /**
   * The latest checkpoint this witness cosigned for {@code origin} (tlog-witness "Monitor Retrieval
   * Mechanism": {@code GET <url>/<hex SHA-256 of the origin>/checkpoint}), as the signed note it
   * serves, after checking it is a note of that origin carrying this witness's valid cosignature;
   * empty when the witness answers 404 (it never cosigned one).
   */
  public Optional<String> latest(String origin) throws WitnessException {
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest(origin.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(HexFormat.of().formatHex(hash) + "/checkpoint"))
            .timeout(timeout)
            .GET()
            .build();
    HttpResponse<InputStream> response;
    String answer;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      answer = readBounded(response.body());
    } catch (HttpTimeoutException e) {
      throw unavailable("did not answer within " + timeout, e);
    } catch (IOException e) {
      throw unavailable("could not be reached (" + e.getClass().getSimpleName() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("request interrupted", e);
    }
    int status = response.statusCode();
    if (status == 404) {
      return Optional.empty();
    }
    if (status != 200) {
      if (status >= 500 || status == 429) {
        throw unavailable("answered " + status + " (" + oneLine(answer) + ")", null);
      }
      throw new WitnessException(
          WitnessException.Reason.REFUSED,
          witness() + " refused the checkpoint request: " + status + " " + oneLine(answer));
    }
    SignedNote note;
    try {
      note = SignedNote.parse(answer);
    } catch (CheckpointException e) {
      throw new WitnessException(
          WitnessException.Reason.MALFORMED_RESPONSE,
          witness() + " served a checkpoint that is not a signed note: " + e.getMessage());
    }
    if (!note.text().startsWith(origin + "\n")) {
      throw new WitnessException(
          WitnessException.Reason.MALFORMED_RESPONSE,
          witness() + " served a checkpoint of another origin than " + origin);
    }
    cosignature(note.text(), answer);
    return Optional.of(answer);
  }

  /** This witness's verified cosignature on {@code checkpointText} in a signed note. */
  private Cosignature cosignature(String checkpointText, String signedNote)
      throws WitnessException {
    SignedNote note;
    try {
      note = SignedNote.parse(signedNote);
    } catch (CheckpointException e) {
      throw new WitnessException(
          WitnessException.Reason.MALFORMED_RESPONSE,
          witness() + " answered 200 without signature lines: " + e.getMessage());
    }
    for (SignedNote.Signature line : note.signatures()) {
      if (!key.names(line.name(), line.keyId())) {
        continue;
      }
      Optional<Cosignature> cosignature = Cosignature.of(line);
      if (cosignature.isPresent() && cosignature.get().verifies(key, checkpointText)) {
        return cosignature.get();
      }
      throw new WitnessException(
          WitnessException.Reason.BAD_COSIGNATURE,
          witness() + " returned a cosignature that does not verify under its key");
    }
    throw new WitnessException(
        WitnessException.Reason.BAD_COSIGNATURE,
        witness() + " returned no cosignature by its configured key");
  }

  private long size(String answer) throws WitnessException {
    if (!SIZE.matcher(answer).matches()) {
      throw new WitnessException(
          WitnessException.Reason.MALFORMED_RESPONSE,
          witness() + " answered 409 without a size: " + oneLine(answer));
    }
    return Long.parseLong(answer.strip());
  }

  private static String readBounded(InputStream body) throws IOException {
    try (body) {
      byte[] bytes = body.readNBytes(MAX_RESPONSE + 1);
      if (bytes.length > MAX_RESPONSE) {
        throw new IOException("answer over " + MAX_RESPONSE + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** The first line of an answer, printable ASCII only and short, for a log line. */
  private static String oneLine(String answer) {
    String line = answer.lines().findFirst().orElse("").replaceAll("[^\\x20-\\x7e]", "?");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private String witness() {
    return "witness " + key.name();
  }

  private WitnessException unavailable(String what, Throwable cause) {
    return new WitnessException(WitnessException.Reason.UNAVAILABLE, witness() + " " + what, cause);
  }
}
