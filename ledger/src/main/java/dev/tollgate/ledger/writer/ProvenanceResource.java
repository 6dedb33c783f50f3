package dev.tollgate.ledger.writer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.Receipt;
import dev.tollgate.ledger.index.IndexedRecord;
import dev.tollgate.ledger.index.Provenance;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code GET /ledger/v1/provenance/{digest}}: the records behind an image, image → run → decision →
 * trigger, each with a C2SP tlog-proof receipt against the latest checkpoint, so a relying party
 * can check every one offline with the public key ({@code tollgate-auditor verify-receipt}).
 * Records the latest checkpoint does not cover yet are served with {@code checkpointed: false} and
 * no receipt.
 */
@Path("/ledger/v1/provenance")
public class ProvenanceResource {

  /**
   * The chain behind an image.
   *
   * @param ignoredUnauthenticated seqs of records the chain named but left out because their source
   *     event did not verify under its signer's keys (absent when none)
   */
  public record ProvenanceView(
      String imageDigest,
      long ledgerSize,
      Long checkpointSize,
      List<Entry> records,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Long> ignoredUnauthenticated) {}

  /**
   * One record of the chain.
   *
   * @param role run, decision or trigger
   * @param seq its seq
   * @param record the stored record; its RFC 8785 form is the stored bytes, the Merkle leaf
   * @param checkpointed whether the latest checkpoint covers it
   * @param receipt its tlog-proof receipt against the latest checkpoint, or null
   */
  public record Entry(
      String role, long seq, JsonNode record, boolean checkpointed, String receipt) {}

  private static final Logger LOG = Logger.getLogger(ProvenanceResource.class);
  private static final String TEXT = MediaType.TEXT_PLAIN + ";charset=utf-8";

  private final LedgerService service;

  @Inject
  public ProvenanceResource(LedgerService service) {
    this.service = service;
  }

  /** The chain for an image digest ({@code sha256:<64 hex>}); 404 when no run reported it. */
  @GET
  @Path("{digest}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response provenance(@PathParam("digest") String digest) {
    Optional<CommittedLedger> committed = service.writer().committed();
    if (committed.isEmpty()) {
      return text(Response.Status.SERVICE_UNAVAILABLE, "the ledger is recovering its chain");
    }
    if (!Provenance.isDigest(digest)) {
      return text(Response.Status.BAD_REQUEST, "digest must be sha256:<64 lowercase hex>");
    }
    CommittedLedger ledger = committed.get();
    Provenance.Trace trace = Provenance.trace(ledger.index(), digest, ledger.size());
    List<Provenance.Link> chain = trace.chain();
    if (chain.isEmpty()) {
      return text(Response.Status.NOT_FOUND, "no run in the ledger reported image " + digest);
    }
    Optional<Checkpoint> checkpoint = ledger.checkpoint();
    List<Entry> entries = new ArrayList<>();
    try {
      for (Provenance.Link link : chain) {
        long seq = link.record().seq();
        JsonNode record = Json.readTree(service.entries().fetch(ledger.offset(seq)));
        boolean covered = checkpoint.isPresent() && seq < checkpoint.get().size();
        String receipt =
            covered ? Receipt.forEntry(ledger.tree(), seq, checkpoint.get()).format() : null;
        entries.add(new Entry(link.role().wire(), seq, record, covered, receipt));
      }
    } catch (LedgerTopicException e) {
      LOG.warnf("cannot serve the provenance of %s: %s", digest, e.getMessage());
      return text(Response.Status.SERVICE_UNAVAILABLE, "the ledger topic cannot be read now");
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("a committed, verified record is not JSON", e);
    }
    return Response.ok(
            new ProvenanceView(
                digest,
                ledger.size(),
                checkpoint.map(Checkpoint::size).orElse(null),
                entries,
                trace.ignored().stream().map(IndexedRecord::seq).toList()))
        .build();
  }

  private static Response text(Response.Status status, String message) {
    return Response.status(status).entity(message + "\n").type(TEXT).build();
  }
}
