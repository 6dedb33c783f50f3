package dev.tollgate.deploy.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in KRaft mode (one node, broker and controller in one process),
 * started inside this JVM from the Maven artifacts: no Docker, transactions on, ports chosen freely
 * unless given. A data directory that is already formatted is reused, so a restarted local stack
 * keeps its topics. Without one the broker keeps its data in a {@link TemporaryDirectory}, deleted
 * when the broker is closed, when it fails to start, or at the latest when the JVM exits.
 *
 * <p>{@link Builder#secured} starts it as production brokers run: clients authenticate with
 * SASL/SCRAM-SHA-512 and KRaft's {@code StandardAuthorizer} allows only what ACLs allow.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /** The super user of a secured broker: the broker itself and whoever administers it. */
  public static final String ADMIN_USER = "admin";

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final TemporaryDirectory temporary;
  private final String adminPassword;
  private boolean closed;

  /**
   * {@code temporary} is null for a broker whose data directory was given, {@code adminPassword}
   * for a broker without authentication.
   */
  private EmbeddedKafka(
      KafkaRaftServer server,
      String bootstrapServers,
      TemporaryDirectory temporary,
      String adminPassword) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.temporary = temporary;
    this.adminPassword = adminPassword;
  }

  /** A builder with test defaults: a temporary directory and free ports. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code host:port} for clients. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The temporary data directory, or empty for a broker whose data directory was given. */
  Optional<Path> temporaryDataDir() {
    return Optional.ofNullable(temporary).map(TemporaryDirectory::path);
  }

  /** Client properties that reach this broker; on a secured broker, as its super user. */
  public Map<String, Object> clientProperties() {
    if (adminPassword != null) {
      return clientProperties(ADMIN_USER, adminPassword);
    }
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /** Client properties that reach this secured broker as {@code user}, SCRAM-SHA-512. */
  public Map<String, Object> clientProperties(String user, String password) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name);
    props.put(SaslConfigs.SASL_MECHANISM, ScramListeners.SCRAM);
    props.put(SaslConfigs.SASL_JAAS_CONFIG, ScramListeners.login(user, password));
    return props;
  }

  /** Creates or replaces a SCRAM-SHA-512 user, as {@code kafka-configs --alter} would. */
  public void upsertScramUser(String user, String password) {
    try (Admin admin = Admin.create(clientProperties())) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create the SCRAM user " + user, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating a user", e);
    }
  }

  /** Creates topics, leaving any that already exist as they are. */
  public void createTopics(Collection<NewTopic> topics) {
    try (Admin admin = Admin.create(clientProperties())) {
      for (NewTopic topic : topics) {
        try {
          admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("could not create topic " + topic.name(), e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("broker did not create topics in time", e);
    }
  }

  /**
   * Stops the broker and deletes a temporary data directory; closing again does nothing, so a
   * temporary broker closed by its owner and again at JVM exit stops once.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      if (temporary != null) {
        temporary.close();
      }
    }
  }

  /** Where and how to start the broker. */
  public static final class Builder {
    private Path dataDir;
    private int port;
    private int controllerPort;
    private String advertisedHost = "127.0.0.1";
    private final Map<String, String> overrides = new HashMap<>();
    private final List<NewTopic> topics = new ArrayList<>();
    private String adminPassword;

    private Builder() {}

    /** Keep data here across restarts; without it a temporary directory is used and deleted. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** The client port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The KRaft controller port; 0 (the default) picks a free one. */
    public Builder controllerPort(int port) {
      this.controllerPort = port;
      return this;
    }

    /** The host clients are told to connect to. */
    public Builder advertisedHost(String host) {
      this.advertisedHost = host;
      return this;
    }

    /** Overrides one broker property. */
    public Builder brokerProperty(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    /**
     * Clients must authenticate with SASL/SCRAM-SHA-512 and are allowed only what ACLs allow
     * (KRaft's {@code StandardAuthorizer}); {@value EmbeddedKafka#ADMIN_USER}, whose credential is
     * written when the data directory is formatted (KRaft's way to bootstrap SCRAM), is the super
     * user the broker itself connects as. The controller listener authenticates with PLAIN, since
     * SCRAM credentials live in the metadata the controller serves.
     */
    public Builder secured(String adminPassword) {
      if (adminPassword == null || !adminPassword.matches("[A-Za-z0-9_-]{8,}")) {
        throw new IllegalArgumentException("the admin password must be 8+ letters or digits");
      }
      this.adminPassword = adminPassword;
      return this;
    }

    /** Topics to create once the broker is up. */
    public Builder topics(Collection<NewTopic> topics) {
      this.topics.addAll(topics);
      return this;
    }

    /**
     * Formats the data directory if needed, starts the broker and waits until it serves. A broker
     * that does not come up is stopped again, and a temporary data directory deleted.
     */
    public EmbeddedKafka start() {
      TemporaryDirectory temporary =
          dataDir == null ? TemporaryDirectory.create("tollgate-kafka-") : null;
      Path dir = temporary != null ? temporary.path() : dataDir;
      EmbeddedKafka kafka = null;
      boolean ready = false;
      try {
        Files.createDirectories(dir);
        int clientPort = port == 0 ? freePort() : port;
        int quorumPort = controllerPort == 0 ? freePort() : controllerPort;
        Properties props = brokerProperties(dir, clientPort, quorumPort);
        format(dir, props, adminPassword);

        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        kafka =
            new EmbeddedKafka(server, advertisedHost + ":" + clientPort, temporary, adminPassword);
        if (temporary != null) {
          temporary.closeFirstAtExit(kafka);
        }
        server.startup();
        kafka.awaitReady();
        kafka.createTopics(topics);
        LOG.info("Kafka broker ready at {} (data in {})", kafka.bootstrapServers, dir);
        ready = true;
        return kafka;
      } catch (IOException e) {
        throw new UncheckedIOException("could not prepare the broker's data directory", e);
      } finally {
        // Whatever failed, the broker is stopped and a temporary directory deleted.
        if (!ready) {
          stopAfterFailedStart(kafka, temporary);
        }
      }
    }

    /** The failure to start is what the caller sees; one to clean up after it is only logged. */
    private static void stopAfterFailedStart(EmbeddedKafka kafka, TemporaryDirectory temporary) {
      try {
        if (kafka != null) {
          kafka.close();
        } else if (temporary != null) {
          temporary.close();
        }
      } catch (UncheckedIOException e) {
        LOG.warn("could not delete the data directory of a broker that did not start", e);
      }
    }

    private Properties brokerProperties(Path dir, int clientPort, int quorumPort) {
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@127.0.0.1:" + quorumPort);
      props.put(
          "listeners",
          "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + quorumPort);
      props.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + clientPort);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("log.dirs", dir.resolve("data").toString());
      props.put("auto.create.topics.enable", "false");
      props.put("num.partitions", "1");
      props.put("default.replication.factor", "1");
      props.put("min.insync.replicas", "1");
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "5");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("transaction.state.log.num.partitions", "5");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      // The cleaner's default 128 MiB buffer is wasted on a test broker.
      props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
      props.put("log.cleaner.threads", "1");
      props.put("num.network.threads", "2");
      props.put("num.io.threads", "2");
      props.put("background.threads", "2");
      props.put("message.max.bytes", Integer.toString(TollgateTopics.LEDGER_MAX_MESSAGE_BYTES));
      if (adminPassword != null) {
        ScramListeners.configure(props, advertisedHost, clientPort, adminPassword);
      }
      props.putAll(overrides);
      return props;
    }

    private static void format(Path dir, Properties props, String adminPassword)
        throws IOException {
      if (Files.exists(dir.resolve("data").resolve("meta.properties"))) {
        return; // formatted before: keep its cluster id and data
      }
      Path config = dir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "written by Tollgate's EmbeddedKafka");
      }
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int status;
      List<String> args =
          new ArrayList<>(
              List.of(
                  "format",
                  "--config",
                  config.toString(),
                  "--cluster-id",
                  Uuid.randomUuid().toString()));
      if (adminPassword != null) {
        args.addAll(
            List.of(
                "--add-scram",
                ScramListeners.SCRAM
                    + "=[name="
                    + ADMIN_USER
                    + ",password="
                    + adminPassword
                    + "]"));
      }
      try (PrintStream printed = new PrintStream(output, true, StandardCharsets.UTF_8)) {
        status = StorageTool.execute(args.toArray(String[]::new), printed);
      }
      if (status != 0) {
        throw new IllegalStateException(
            "formatting " + dir + " failed: " + output.toString(StandardCharsets.UTF_8));
      }
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(clientProperties())) {
      while (true) {
        try {
          admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("broker did not become ready in " + READY_TIMEOUT, e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
