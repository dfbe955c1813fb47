package io.strata.server.secret;

import io.micronaut.core.value.PropertyResolver;
import io.strata.server.config.Setting;
import io.strata.server.config.StrataConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the secret key comes from, read once at start (and by {@code strata secrets
 * rotate-key}): {@code strata.secret.key}, else the file {@code strata.secret.key-file}, else
 * {@code <data-dir>/secret.key}, generated with mode 0600 on first start. Keys in
 * {@code strata.secret.key-previous}, and the one in {@code <key file>.previous} that a
 * rotation leaves, also decrypt.
 *
 * @param box the keys, ready to use
 * @param file the file the current key is in; empty when it comes from {@code strata.secret.key}
 */
public record SecretKeys(SecretBox box, Optional<Path> file) {
  /** The settings that supply keys, as error messages name them. */
  public static final String SETTINGS = Setting.SECRET_KEY.property() + " ("
      + Setting.SECRET_KEY.envVar() + ") or the file in " + Setting.SECRET_KEY_FILE.property()
      + " (" + Setting.SECRET_KEY_FILE.envVar() + "), or as a previous key in "
      + Setting.SECRET_KEY_PREVIOUS.property() + " (" + Setting.SECRET_KEY_PREVIOUS.envVar() + ")";
  /** The key file used when no key is configured. */
  public static final String DEFAULT_FILE = "secret.key";

  /**
   * Reads the keys.
   *
   * @throws StrataConfig.InvalidConfigException naming each bad setting (never its value)
   */
  public static SecretKeys load(PropertyResolver env, Path dataDir) {
    String key = text(env, Setting.SECRET_KEY);
    String file = text(env, Setting.SECRET_KEY_FILE);
    String previous = text(env, Setting.SECRET_KEY_PREVIOUS);
    List<String> problems = new ArrayList<>();
    SecretKey current = null;
    Optional<Path> keyFile = Optional.empty();
    if (!key.isEmpty() && !file.isEmpty()) {
      problems.add(name(Setting.SECRET_KEY) + " and " + name(Setting.SECRET_KEY_FILE)
          + " are both set: set one");
    } else if (!key.isEmpty()) {
      current = parse(key, name(Setting.SECRET_KEY), problems);
    } else if (!file.isEmpty()) {
      Path p = Path.of(file).toAbsolutePath().normalize();
      keyFile = Optional.of(p);
      if (!Files.isRegularFile(p)) {
        problems.add(name(Setting.SECRET_KEY_FILE) + " is '" + p + "': no such file");
      } else {
        current = read(p, name(Setting.SECRET_KEY_FILE) + " file " + p, problems);
      }
    } else {
      Path p = dataDir.resolve(DEFAULT_FILE).toAbsolutePath().normalize();
      keyFile = Optional.of(p);
      try {
        current = Files.exists(p) ? read(p, "the key file " + p, problems) : generate(p);
      } catch (IOException e) {
        problems.add("the secret key file " + p + " cannot be created (set "
            + name(Setting.SECRET_KEY) + " or " + name(Setting.SECRET_KEY_FILE) + "): " + e);
      }
    }
    List<SecretKey> old = new ArrayList<>();
    if (keyFile.isPresent() && Files.isRegularFile(sibling(keyFile.get(), ".previous"))) {
      // left by 'strata secrets rotate-key': values a server still on the old key wrote
      // meanwhile stay readable, and are re-encrypted under the new key on this start
      SecretKey k = read(sibling(keyFile.get(), ".previous"), "the previous key file "
          + sibling(keyFile.get(), ".previous"), problems);
      if (k != null) {
        old.add(k);
      }
    }
    if (!previous.isEmpty()) {
      String[] parts = previous.split(",");
      for (int i = 0; i < parts.length; i++) {
        if (!parts[i].isBlank()) {
          SecretKey k = parse(parts[i], name(Setting.SECRET_KEY_PREVIOUS) + " key "
              + (i + 1), problems);
          if (k != null) {
            old.add(k);
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new StrataConfig.InvalidConfigException(problems);
    }
    return new SecretKeys(new SecretBox(current, old, SETTINGS), keyFile);
  }

  /**
   * Writes {@code key} to {@code <file>.new} (mode 0600): the first step of replacing the key
   * file, done before the secrets are re-encrypted so the new key is on disk whatever happens.
   */
  public static Path stage(Path file, SecretKey key) throws IOException {
    Path tmp = sibling(file, ".new");
    Files.deleteIfExists(tmp);
    createPrivate(tmp);
    Files.writeString(tmp, key.base64() + "\n", StandardCharsets.US_ASCII);
    return tmp;
  }

  /**
   * Moves the staged key over {@code file}; the key it replaces is kept in
   * {@code <file>.previous}, which {@link #load} reads as a previous key.
   */
  public static void commit(Path file) throws IOException {
    if (Files.exists(file)) {
      Path prev = sibling(file, ".previous");
      Files.deleteIfExists(prev);
      createPrivate(prev);
      Files.copy(file, prev, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.move(sibling(file, ".new"), file, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }

  private static SecretKey generate(Path p) throws IOException {
    Files.createDirectories(p.getParent());
    SecretKey k = SecretKey.generate("the key file " + p);
    try {
      createPrivate(p);
    } catch (FileAlreadyExistsException e) {
      // another server on the same data directory won the race: use its key
      List<String> problems = new ArrayList<>();
      SecretKey theirs = read(p, "the key file " + p, problems);
      if (theirs == null) {
        throw new IOException(String.join("; ", problems));
      }
      return theirs;
    }
    Files.writeString(p, k.base64() + "\n", StandardCharsets.US_ASCII);
    return k;
  }

  /** Creates an empty file readable and writable by its owner only (where POSIX allows). */
  private static void createPrivate(Path p) throws IOException {
    try {
      Files.createFile(p, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(p);
    }
  }

  private static SecretKey read(Path p, String origin, List<String> problems) {
    try {
      return parse(Files.readString(p, StandardCharsets.US_ASCII), origin, problems);
    } catch (IOException e) {
      problems.add(origin + " cannot be read: " + e);
      return null;
    }
  }

  private static SecretKey parse(String text, String origin, List<String> problems) {
    try {
      return SecretKey.parse(text, origin);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private static String text(PropertyResolver env, Setting s) {
    return env.getProperty(s.property(), String.class).orElse(s.defaultValue()).trim();
  }

  private static String name(Setting s) {
    return s.property() + " (" + s.envVar() + ")";
  }
}
