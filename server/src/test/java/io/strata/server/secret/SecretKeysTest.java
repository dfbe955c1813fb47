package io.strata.server.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.core.value.MapPropertyResolver;
import io.strata.server.config.StrataConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the secret key comes from, and what AES-GCM refuses. */
class SecretKeysTest {
  @TempDir
  Path dir;

  static MapPropertyResolver settings(Map<String, Object> values) {
    return new MapPropertyResolver(values);
  }

  @Test
  void theDefaultKeyFileIsGeneratedOnceWithOwnerOnlyPermissions() throws Exception {
    SecretKeys first = SecretKeys.load(settings(Map.of()), dir);
    Path file = dir.resolve("secret.key");
    assertThat(first.file()).contains(file);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    SecretKeys again = SecretKeys.load(settings(Map.of()), dir);
    assertThat(again.box().current()).isEqualTo(first.box().current());
    String sealed = first.box().seal("hunter2", "password of data source 'x'");
    assertThat(again.box().open(sealed, "password of data source 'x'")).isEqualTo("hunter2");
  }

  @Test
  void badSettingsNameTheSettingAndNeverTheValue() {
    String notBase64 = "this is not base64!";
    assertThatThrownBy(() -> SecretKeys.load(settings(Map.of("strata.secret.key", notBase64)), dir))
        .isInstanceOf(StrataConfig.InvalidConfigException.class)
        .hasMessageContaining("strata.secret.key (STRATA_SECRET_KEY)").hasMessageContaining("base64")
        .hasMessageNotContaining(notBase64);
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> SecretKeys.load(settings(Map.of("strata.secret.key", short16)), dir))
        .hasMessageContaining("16 bytes").hasMessageContaining("32");
    assertThatThrownBy(() -> SecretKeys.load(settings(Map.of("strata.secret.key-file",
        dir.resolve("missing.key").toString())), dir))
        .hasMessageContaining("strata.secret.key-file").hasMessageContaining("no such file");
    String good = Base64.getEncoder().encodeToString(new byte[32]);
    assertThatThrownBy(() -> SecretKeys.load(settings(Map.of("strata.secret.key", good,
        "strata.secret.key-file", "/x")), dir)).hasMessageContaining("both set");
    assertThatThrownBy(() -> SecretKeys.load(settings(Map.of("strata.secret.key", good,
        "strata.secret.key-previous", good + ",nope")), dir))
        .hasMessageContaining("strata.secret.key-previous (STRATA_SECRET_KEY_PREVIOUS) key 2");
    assertThat(Files.exists(dir.resolve("secret.key"))).isFalse();
  }

  @Test
  void aPreviousKeyOpensOldValuesAndNewValuesUseTheCurrentKey() throws Exception {
    SecretKey old = SecretKey.generate("old");
    SecretKey current = SecretKey.generate("new");
    SecretBox before = new SecretBox(old, List.of(), "settings");
    String sealedOld = before.seal("s3cret", "ctx");
    SecretKeys keys = SecretKeys.load(settings(Map.of("strata.secret.key", current.base64(),
        "strata.secret.key-previous", old.base64())), dir);
    assertThat(keys.file()).isEmpty();
    SecretBox box = keys.box();
    assertThat(box.open(sealedOld, "ctx")).isEqualTo("s3cret");
    assertThat(box.needsSealing(sealedOld)).isTrue();
    String sealedNew = box.seal("s3cret", "ctx");
    assertThat(sealedNew).startsWith("enc:v1:" + current.id() + ":").doesNotContain("s3cret");
    assertThat(box.needsSealing(sealedNew)).isFalse();
    assertThat(box.needsSealing("plain")).isTrue();
    assertThat(box.open("plain", "ctx")).isEqualTo("plain");
    // the old key alone cannot open the new value, and says which key it needs
    assertThatThrownBy(() -> before.open(sealedNew, "password of data source 'w'"))
        .isInstanceOf(SecretKeyException.class)
        .hasMessageContaining("password of data source 'w'").hasMessageContaining(current.id())
        .hasMessageContaining("settings");
  }

  @Test
  void aTamperedOrMovedValueDoesNotOpen() {
    SecretBox box = new SecretBox(SecretKey.generate("k"), List.of(), "settings");
    String sealed = box.seal("s3cret", "password of data source 'a'");
    assertThatThrownBy(() -> box.open(sealed, "password of data source 'b'"))
        .isInstanceOf(SecretKeyException.class).hasMessageContaining("does not decrypt");
    char[] c = sealed.toCharArray();
    // well inside the base64 payload: the last characters before '=' padding may carry only
    // unused bits, and changing them changes no byte
    int inside = c.length - 10;
    c[inside] = c[inside] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> box.open(new String(c), "password of data source 'a'"))
        .isInstanceOf(SecretKeyException.class);
    assertThatThrownBy(() -> box.open(sealed.substring(0, 25), "password of data source 'a'"))
        .isInstanceOf(SecretKeyException.class).hasMessageContaining("damaged");
    // the same value sealed twice differs (random IV)
    assertThat(box.seal("s3cret", "x")).isNotEqualTo(box.seal("s3cret", "x"));
  }

  @Test
  void aRotatedKeyFileKeepsTheOldKeyAsPrevious() throws Exception {
    SecretKeys first = SecretKeys.load(settings(Map.of()), dir);
    SecretKey next = SecretKey.generate("next");
    Path file = first.file().orElseThrow();
    SecretKeys.stage(file, next);
    SecretKeys.commit(file);
    SecretKeys after = SecretKeys.load(settings(Map.of()), dir);
    assertThat(after.box().current()).isEqualTo(next);
    assertThat(after.box().previous()).containsExactly(first.box().current());
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dir.resolve("secret.key.previous")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void secretFieldsAndUrlMasking() {
    assertThat(SecretFields.isSecretProperty("sslpassword")).isTrue();
    assertThat(SecretFields.isSecretProperty("apiKey")).isTrue();
    assertThat(SecretFields.isSecretProperty("oauthToken")).isTrue();
    assertThat(SecretFields.isSecretProperty("sslmode")).isFalse();
    assertThat(SecretFields.maskUrl("jdbc:postgresql://h/d?user=u&password=p1&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/d?user=u&password=***&ssl=true");
    assertThat(SecretFields.maskUrl("jdbc:postgresql://h/d?password=p1"))
        .isEqualTo("jdbc:postgresql://h/d?password=***");
    assertThat(SecretFields.maskUrl("jdbc:mysql://u:p1@h:3306/d"))
        .isEqualTo("jdbc:mysql://u:***@h:3306/d");
    assertThat(SecretFields.maskUrl("jdbc:sqlserver://h;user=u;password=p1;db=x"))
        .isEqualTo("jdbc:sqlserver://h;user=u;password=***;db=x");
    assertThat(SecretFields.urlHasSecret("jdbc:postgresql://h:5432/d?user=u")).isFalse();
    assertThat(SecretFields.urlHasSecret("jdbc:duckdb:/data/x.duckdb")).isFalse();
  }
}
