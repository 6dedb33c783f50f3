package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.checkpoint.Receipt;
import dev.tollgate.ledger.topic.LedgerTopicException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What auditors fetch from the running ledger: its public key, the committed chain head, the latest
 * signed checkpoint, entries, Merkle proofs and offline receipts. Everything served comes from the
 * committed state: records of a transaction still open are never visible here.
 *
 * <p>Proof hashes are standard padded base64 (RFC 4648 section 4) of the 32-byte SHA-256 hashes, as
 * in checkpoints and tlog-proof receipts, ordered as RFC 9162 sections 2.1.3.1 and 2.1.4.1 produce
 * them. Malformed parameters answer 400; sizes or seqs beyond the committed ledger (or, for
 * receipts, beyond the latest checkpoint) answer 404.
 */
@Path("/ledger/v1")
public class LedgerResource {

  /** The chain head as served; {@code headSeq} and {@code headHash} are null while empty. */
  public record Head(long size, Long headSeq, String headHash, String keyId) {}

  /** An inclusion proof: the leaf at {@code leafIndex} in the tree of {@code treeSize} leaves. */
  public record InclusionProof(long leafIndex, long treeSize, List<String> hashes) {}

  /** A consistency proof from the tree of {@code fromSize} leaves to that of {@code toSize}. */
  public record ConsistencyProof(long fromSize, long toSize, List<String> hashes) {}

  private static final Logger LOG = Logger.getLogger(LedgerResource.class);
  private static final String TEXT = MediaType.TEXT_PLAIN + ";charset=utf-8";

  private final LedgerService service;
  private final WitnessService witnesses;

  @Inject
  public LedgerResource(LedgerService service, WitnessService witnesses) {
    this.service = service;
    this.witnesses = witnesses;
  }

  /** The Ed25519 public key in PEM, for {@code tollgate-auditor verify --public-key}. */
  @GET
  @Path("public-key")
  @Produces("application/x-pem-file")
  public String publicKey() {
    return service.signer().publicKey().toPem();
  }

  /** The committed head; 503 until the writer has read the chain back. */
  @GET
  @Path("head")
  @Produces(MediaType.APPLICATION_JSON)
  public Response head() {
    String keyId = service.signer().publicKey().keyId();
    return service
        .writer()
        .head()
        .map(head -> Response.ok(view(head, keyId)).build())
        .orElseGet(
            () ->
                Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity(new Head(0, null, null, keyId))
                    .build());
  }

  /**
   * The latest committed checkpoint as its signed note, followed by the cosignature lines of the
   * witnesses that have cosigned it so far (C2SP signed-note: a verifier ignores lines of keys it
   * does not know); 404 before the first one.
   */
  @GET
  @Path("checkpoint")
  @Produces(TEXT)
  public Response checkpoint() {
    Optional<CommittedLedger> ledger = service.writer().committed();
    if (ledger.isEmpty()) {
      return unavailable();
    }
    return ledger
        .get()
        .checkpoint()
        .map(c -> Response.ok(cosigned(c).note(), TEXT).build())
        .orElseGet(() -> text(Response.Status.NOT_FOUND, "no checkpoint has been signed yet"));
  }

  /**
   * The checkpoint of {@code size} records with the cosignatures the witnesses gave it, as kept in
   * {@code <data-dir>/cosignatures/<size>.checkpoint}; 404 when no witness cosigned it (or it is no
   * longer kept: without a data directory only the latest few are).
   */
  @GET
  @Path("checkpoints/{size}")
  @Produces(TEXT)
  public Response cosignedCheckpoint(@PathParam("size") String sizeParam) {
    Long size = parse(sizeParam);
    if (size == null) {
      return text(Response.Status.BAD_REQUEST, "size must be a non-negative integer");
    }
    return witnesses
        .store()
        .note(size)
        .map(note -> Response.ok(note, TEXT).build())
        .orElseGet(() -> text(Response.Status.NOT_FOUND, "no cosigned checkpoint of size " + size));
  }

  /** The stored bytes of the committed record at {@code seq}, exactly its Merkle leaf. */
  @GET
  @Path("entries/{seq}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response entry(@PathParam("seq") String seqParam) {
    Optional<CommittedLedger> ledger = service.writer().committed();
    if (ledger.isEmpty()) {
      return unavailable();
    }
    Long seq = parse(seqParam);
    if (seq == null) {
      return text(Response.Status.BAD_REQUEST, "seq must be a non-negative integer");
    }
    if (seq >= ledger.get().size()) {
      return text(
          Response.Status.NOT_FOUND, "the ledger holds " + ledger.get().size() + " records");
    }
    try {
      byte[] value = service.entries().fetch(ledger.get().offset(seq));
      return Response.ok(value, MediaType.APPLICATION_JSON).build();
    } catch (LedgerTopicException e) {
      LOG.warnf("cannot serve ledger entry %d: %s", seq, e.getMessage());
      return text(Response.Status.SERVICE_UNAVAILABLE, "the ledger topic cannot be read now");
    }
  }

  /** The inclusion proof of entry {@code seq} in the tree of {@code size} records. */
  @GET
  @Path("proof/inclusion")
  @Produces(MediaType.APPLICATION_JSON)
  public Response inclusionProof(
      @QueryParam("seq") String seqParam, @QueryParam("size") String sizeParam) {
    Optional<CommittedLedger> ledger = service.writer().committed();
    if (ledger.isEmpty()) {
      return unavailable();
    }
    Long seq = parse(seqParam);
    Long size = parse(sizeParam);
    if (seq == null || size == null || seq >= size) {
      return text(Response.Status.BAD_REQUEST, "seq and size are integers with 0 <= seq < size");
    }
    if (size > ledger.get().size()) {
      return text(
          Response.Status.NOT_FOUND, "the ledger holds " + ledger.get().size() + " records");
    }
    List<byte[]> proof = ledger.get().tree().inclusionProof(seq, size);
    return Response.ok(new InclusionProof(seq, size, base64(proof))).build();
  }

  /** The consistency proof between the trees of {@code from} and {@code to} records. */
  @GET
  @Path("proof/consistency")
  @Produces(MediaType.APPLICATION_JSON)
  public Response consistencyProof(
      @QueryParam("from") String fromParam, @QueryParam("to") String toParam) {
    Optional<CommittedLedger> ledger = service.writer().committed();
    if (ledger.isEmpty()) {
      return unavailable();
    }
    Long from = parse(fromParam);
    Long to = parse(toParam);
    if (from == null || to == null || from > to) {
      return text(Response.Status.BAD_REQUEST, "from and to are integers with 0 <= from <= to");
    }
    if (to > ledger.get().size()) {
      return text(
          Response.Status.NOT_FOUND, "the ledger holds " + ledger.get().size() + " records");
    }
    List<byte[]> proof = ledger.get().tree().consistencyProof(from, to);
    return Response.ok(new ConsistencyProof(from, to, base64(proof))).build();
  }

  /**
   * An offline receipt (C2SP tlog-proof) for entry {@code seq} against the latest checkpoint; 404
   * when that checkpoint does not cover the entry yet. With witnesses configured, the receipt is
   * against the latest checkpoint that carries the configured quorum of cosignatures (with them),
   * so it verifies under {@code verify-receipt --witness-key}; 404 until one covers the entry.
   */
  @GET
  @Path("receipt/{seq}")
  @Produces(TEXT)
  public Response receipt(@PathParam("seq") String seqParam) {
    Optional<CommittedLedger> ledger = service.writer().committed();
    if (ledger.isEmpty()) {
      return unavailable();
    }
    Long seq = parse(seqParam);
    if (seq == null) {
      return text(Response.Status.BAD_REQUEST, "seq must be a non-negative integer");
    }
    Optional<Checkpoint> checkpoint = ledger.get().checkpoint();
    boolean witnessed = witnesses.quorum().required() > 0;
    if (witnessed) {
      checkpoint = checkpoint.flatMap(this::witnessedCheckpoint);
    }
    if (checkpoint.isEmpty() || seq >= checkpoint.get().size()) {
      return text(
          Response.Status.NOT_FOUND,
          "entry "
              + seq
              + " is not covered by the latest "
              + (witnessed ? "witnessed " : "")
              + "checkpoint yet ("
              + checkpoint.map(c -> c.size() + " records").orElse("none")
              + "); retry after the next one");
    }
    Receipt receipt = Receipt.forEntry(ledger.get().tree(), seq, checkpoint.get());
    return Response.ok(receipt.format(), TEXT).build();
  }

  /** The checkpoint with the cosignatures kept for it, when they are of the same text. */
  private Checkpoint cosigned(Checkpoint checkpoint) {
    return witnesses
        .store()
        .note(checkpoint.size())
        .filter(note -> note.startsWith(checkpoint.note()))
        .map(
            note ->
                new Checkpoint(checkpoint.origin(), checkpoint.size(), checkpoint.rootHash(), note))
        .orElse(checkpoint);
  }

  /**
   * The latest checkpoint with a quorum of cosignatures, no larger than {@code latest}, signed by
   * the current key (one signed before a key rotation is not served: the next checkpoint is).
   */
  private Optional<Checkpoint> witnessedCheckpoint(Checkpoint latest) {
    NoteKey key = NoteKey.of(latest.origin(), service.signer().publicKey());
    return witnesses
        .store()
        .latest(witnesses.quorum(), latest.size())
        .flatMap(
            note -> {
              try {
                return Optional.of(Checkpoint.open(note, key));
              } catch (CheckpointException e) {
                LOG.warnf("a kept cosigned checkpoint does not open: %s", e.getMessage());
                return Optional.empty();
              }
            });
  }

  private static Head view(ChainHead head, String keyId) {
    return new Head(head.size(), head.isEmpty() ? null : head.headSeq(), head.headHash(), keyId);
  }

  private static Long parse(String value) {
    if (value == null || !value.matches("0|[1-9][0-9]{0,17}")) {
      return null;
    }
    return Long.parseLong(value);
  }

  private static List<String> base64(List<byte[]> hashes) {
    return hashes.stream().map(h -> Base64.getEncoder().encodeToString(h)).toList();
  }

  private static Response unavailable() {
    return text(Response.Status.SERVICE_UNAVAILABLE, "the ledger is recovering its chain");
  }

  private static Response text(Response.Status status, String message) {
    return Response.status(status).entity(message + "\n").type(TEXT).build();
  }
}
