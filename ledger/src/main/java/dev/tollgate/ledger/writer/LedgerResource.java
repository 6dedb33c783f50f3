package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.chain.ChainHead;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** What auditors fetch from the running ledger: its public key and the committed chain head. */
@Path("/ledger/v1")
public class LedgerResource {

  /** The chain head as served; {@code headSeq} and {@code headHash} are null while empty. */
  public record Head(long size, Long headSeq, String headHash, String keyId) {}

  private final LedgerService service;

  @Inject
  public LedgerResource(LedgerService service) {
    this.service = service;
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

  private static Head view(ChainHead head, String keyId) {
    return new Head(head.size(), head.isEmpty() ? null : head.headSeq(), head.headHash(), keyId);
  }
}
