package dev.tollgate.ledger.signing;

import dev.tollgate.ledger.LedgerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Makes the ledger's signer available to the service. The only reader of the key-file setting: a
 * missing or invalid key stops the service from starting.
 */
@ApplicationScoped
public class LedgerSignerProducer {

  private static final Logger LOG = Logger.getLogger(LedgerSignerProducer.class);

  @Produces
  @Singleton
  LedgerSigner signer(LedgerConfig config) throws SigningKeyException {
    LedgerSigner signer = LedgerSigner.fromKeyFile(config.signingKeyFile());
    LOG.infof("ledger signing key loaded, key id %s", signer.publicKey().keyId());
    return signer;
  }

  @Produces
  @Singleton
  PreviousSigners previousSigners(LedgerConfig config) throws SigningKeyException {
    List<LedgerSigner> signers = new ArrayList<>();
    for (Path file : config.previousSigningKeyFiles().orElse(List.of())) {
      LedgerSigner previous = LedgerSigner.fromKeyFile(file);
      LOG.infof("previous ledger signing key loaded, key id %s", previous.publicKey().keyId());
      signers.add(previous);
    }
    return new PreviousSigners(signers);
  }
}
