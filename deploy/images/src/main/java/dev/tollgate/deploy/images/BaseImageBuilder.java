package dev.tollgate.deploy.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Assembles the offline JRE base image from a root filesystem that {@code
 * deploy/images/base-rootfs} extracted from Debian packages and a jlink'd runtime, with jib-core:
 * no Docker daemon, no base image pulled from anywhere. Two layers, the operating system files and
 * the runtime under {@code /opt/java}; everything owned by root and read-only to the user, except
 * the directories the non-root user {@value #USER} writes ({@code /tmp}, its home). Timestamps are
 * Jib's fixed epoch, so the same root filesystem gives the same digest.
 *
 * <p>Jib's layers hold files and directories only, so a symbolic link is resolved inside the root
 * filesystem (never on the host) and its target's bytes are stored under the link's name. A link
 * that leaves the root filesystem, dangles or names a directory fails the build.
 */
public final class BaseImageBuilder {
  /** Quarkus' images run as uid 185 and its Jib integration gives its working directory to 185. */
  public static final String USER = "185";

  static final String RUNTIME_DIR = "/opt/java";
  private static final Map<String, String> WRITABLE = Map.of("/tmp", "700", "/home/jboss", "700");
  private static final int MAX_LINK_HOPS = 40;

  private final Path rootfs;
  private final Map<String, String> labels;

  /** A builder for the root filesystem at {@code rootfs}, with these image labels. */
  public BaseImageBuilder(Path rootfs, Map<String, String> labels) throws IOException {
    this.rootfs = rootfs.toRealPath();
    if (!Files.isExecutable(this.rootfs.resolve("opt/java/bin/java"))) {
      throw new IllegalArgumentException(
          "no runtime at " + this.rootfs.resolve("opt/java/bin/java") + ": run base-rootfs first");
    }
    this.labels = Map.copyOf(labels);
  }

  /** The container: OS layer, runtime layer, user, environment and labels. */
  public JibContainerBuilder containerBuilder() throws IOException {
    FileEntriesLayer.Builder os = FileEntriesLayer.builder().setName("os");
    FileEntriesLayer.Builder runtime = FileEntriesLayer.builder().setName("jre");
    for (Path path : paths()) {
      String inImage = "/" + rootfs.relativize(path).toString().replace('\\', '/');
      FileEntriesLayer.Builder layer = inImage.startsWith(RUNTIME_DIR) ? runtime : os;
      layer.addEntry(entry(path, inImage));
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put(
        "PATH", RUNTIME_DIR + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("JAVA_HOME", RUNTIME_DIR);
    env.put("LANG", "C.UTF-8");
    return Jib.fromScratch()
        .addFileEntriesLayer(os.build())
        .addFileEntriesLayer(runtime.build())
        .setUser(USER)
        .setEnvironment(env)
        .setLabels(labels);
  }

  /** Pushes the image to a registry; {@code insecure} allows a plain-HTTP one (127.0.0.1). */
  public JibContainer push(String reference, boolean insecure) throws Exception {
    return containerBuilder()
        .containerize(
            named(Containerizer.to(RegistryImage.named(ImageReference.parse(reference))))
                .setAllowInsecureRegistries(insecure));
  }

  /** Writes the image as a tarball ({@code docker load} format, also Jib's {@code tar://}). */
  public JibContainer writeTar(String reference, Path tar) throws Exception {
    return containerBuilder()
        .containerize(named(Containerizer.to(TarImage.at(tar).named(reference))));
  }

  private static Containerizer named(Containerizer containerizer) {
    return containerizer.setToolName("tollgate-base-image");
  }

  private List<Path> paths() throws IOException {
    try (Stream<Path> walk = Files.walk(rootfs)) {
      return walk.filter(p -> !p.equals(rootfs)).sorted().toList();
    }
  }

  private FileEntry entry(Path path, String inImage) throws IOException {
    Path source = resolveInside(path);
    boolean directory = Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS);
    if (directory && !source.equals(path)) {
      throw new IllegalArgumentException(
          "symbolic link to a directory is not supported in a layer: " + inImage);
    }
    if (!directory && !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("neither a file nor a directory: " + inImage);
    }
    String writable = WRITABLE.get(inImage);
    if (writable != null) {
      return new FileEntry(
          source,
          AbsoluteUnixPath.get(inImage),
          FilePermissions.fromOctalString(writable),
          FileEntriesLayer.DEFAULT_MODIFICATION_TIME,
          USER + ":" + USER);
    }
    // Owned by root; the user may read and, where the package said so, execute; nobody writes.
    int bits =
        FilePermissions.fromPosixFilePermissions(
                    Files.getPosixFilePermissions(source, LinkOption.NOFOLLOW_LINKS))
                .getPermissionBits()
            & 0555;
    return new FileEntry(
        source,
        AbsoluteUnixPath.get(inImage),
        FilePermissions.fromOctalString(String.format(Locale.ROOT, "%03o", bits)),
        FileEntriesLayer.DEFAULT_MODIFICATION_TIME,
        "0:0");
  }

  /** Follows symbolic links as the container would see them: absolute targets from the rootfs. */
  Path resolveInside(Path path) throws IOException {
    Path current = path;
    for (int hop = 0; hop < MAX_LINK_HOPS; hop++) {
      if (!Files.isSymbolicLink(current)) {
        if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
          throw new IllegalArgumentException("dangling symbolic link: " + inImage(path));
        }
        return current;
      }
      Path target = Files.readSymbolicLink(current);
      Path next =
          target.isAbsolute()
              ? rootfs.resolve(target.toString().substring(1))
              : current.getParent().resolve(target);
      next = next.normalize();
      if (!next.startsWith(rootfs)) {
        throw new IllegalArgumentException(
            "symbolic link leaves the root filesystem: " + inImage(path) + " -> " + target);
      }
      current = next;
    }
    throw new IllegalArgumentException("too many levels of symbolic links: " + inImage(path));
  }

  private String inImage(Path path) {
    return "/" + rootfs.relativize(path);
  }

  /**
   * {@code --rootfs DIR (--to REF [--insecure] | --tar FILE --name REF) [--digest-file FILE]
   * [--label k=v]...}: builds the base image and prints its reference with the digest.
   */
  @SuppressForbidden("a command-line program reports its result and its usage on the console")
  public static void main(String[] args) throws Exception {
    Path rootfs = null;
    String to = null;
    Path tar = null;
    String name = null;
    Path digestFile = null;
    boolean insecure = false;
    Map<String, String> labels = new LinkedHashMap<>();
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--rootfs" -> rootfs = Path.of(args[++i]);
          case "--to" -> to = args[++i];
          case "--tar" -> tar = Path.of(args[++i]);
          case "--name" -> name = args[++i];
          case "--digest-file" -> digestFile = Path.of(args[++i]);
          case "--insecure" -> insecure = true;
          case "--label" -> {
            String[] kv = args[++i].split("=", 2);
            if (kv.length != 2) {
              throw new IllegalArgumentException("--label needs key=value: " + args[i]);
            }
            labels.put(kv[0], kv[1]);
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (rootfs == null || (to == null) == (tar == null) || (tar != null && name == null)) {
        throw new IllegalArgumentException(
            "need --rootfs and either --to REF or --tar FILE --name REF");
      }
      ImageReference.parse(to != null ? to : name);
    } catch (IllegalArgumentException
        | ArrayIndexOutOfBoundsException
        | InvalidImageReferenceException e) {
      System.err.println("base-image: " + e.getMessage());
      System.err.println(
          "usage: --rootfs DIR (--to REF [--insecure] | --tar FILE --name REF)"
              + " [--digest-file FILE] [--label key=value]...");
      System.exit(2);
      return;
    }
    BaseImageBuilder builder = new BaseImageBuilder(rootfs, labels);
    JibContainer image = to != null ? builder.push(to, insecure) : builder.writeTar(name, tar);
    String digest = image.getDigest().toString();
    if (digestFile != null) {
      Files.writeString(digestFile, digest + "\n", StandardCharsets.UTF_8);
    }
    System.out.println(image.getTargetImage() + "@" + digest);
  }
}
