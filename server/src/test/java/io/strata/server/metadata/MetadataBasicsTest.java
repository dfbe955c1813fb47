package io.strata.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vendors, roles and the helpers that need no database. */
class MetadataBasicsTest {

    @Test
    void vendorFromUrl() {
        assertThat(MetadataVendor.fromJdbcUrl("jdbc:h2:mem:x")).isEqualTo(MetadataVendor.H2);
        assertThat(MetadataVendor.fromJdbcUrl("jdbc:h2:file:/tmp/x;MODE=PostgreSQL")).isEqualTo(MetadataVendor.H2);
        assertThat(MetadataVendor.fromJdbcUrl("jdbc:postgresql://h:5432/db")).isEqualTo(MetadataVendor.POSTGRES);
        assertThat(MetadataVendor.fromJdbcUrl("jdbc:mysql://h/db")).isEqualTo(MetadataVendor.MYSQL);
        assertThat(MetadataVendor.fromJdbcUrl("jdbc:mariadb://h/db")).isEqualTo(MetadataVendor.MYSQL);
        for (String bad : new String[] {"jdbc:oracle:thin:@h:1521:x", "postgresql://h/db", "", "jdbc:H2:mem:x"}) {
            assertThatThrownBy(() -> MetadataVendor.fromJdbcUrl(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'")
                    .hasMessageContaining("jdbc:h2:, jdbc:postgresql: or jdbc:mysql:");
        }
        assertThatThrownBy(() -> MetadataVendor.fromJdbcUrl(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roles() {
        assertThat(Role.ADMIN.includes(Role.ADMIN)).isTrue();
        assertThat(Role.ADMIN.includes(Role.EDITOR)).isTrue();
        assertThat(Role.ADMIN.includes(Role.VIEWER)).isTrue();
        assertThat(Role.EDITOR.includes(Role.ADMIN)).isFalse();
        assertThat(Role.EDITOR.includes(Role.EDITOR)).isTrue();
        assertThat(Role.EDITOR.includes(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.includes(Role.ADMIN)).isFalse();
        assertThat(Role.VIEWER.includes(Role.EDITOR)).isFalse();
        assertThat(Role.VIEWER.includes(Role.VIEWER)).isTrue();
        assertThat(Role.parse("Admin")).isEqualTo(Role.ADMIN);
        assertThat(Role.parse("EDITOR")).isEqualTo(Role.EDITOR);
        assertThat(Role.parse("viewer")).isEqualTo(Role.VIEWER);
        assertThat(Role.VIEWER.id()).isEqualTo("viewer");
        assertThatThrownBy(() -> Role.parse("owner")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown role 'owner' (expected admin, editor or viewer)");
        assertThatThrownBy(() -> Role.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown role 'null' (expected admin, editor or viewer)");
    }

    @Test
    void urlHandling() {
        assertThat(MetadataDatabase.redact("jdbc:postgresql://h/db?user=a&password=x&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&ssl=true");
        assertThat(MetadataDatabase.redact("jdbc:h2:mem:x;USER=sa;PASSWORD=pw")).isEqualTo("jdbc:h2:mem:x;USER=sa;PASSWORD=***");
        assertThat(MetadataDatabase.effectiveUrl(MetadataVendor.H2, "jdbc:h2:mem:a")).isEqualTo("jdbc:h2:mem:a;DB_CLOSE_DELAY=-1");
        assertThat(MetadataDatabase.effectiveUrl(MetadataVendor.H2, "jdbc:h2:mem:a;db_close_delay=0"))
                .isEqualTo("jdbc:h2:mem:a;db_close_delay=0");
        assertThat(MetadataDatabase.effectiveUrl(MetadataVendor.MYSQL, "jdbc:mysql://h/db"))
                .isEqualTo("jdbc:mysql://h/db?permitMysqlScheme");
        assertThat(MetadataDatabase.effectiveUrl(MetadataVendor.MYSQL, "jdbc:mysql://h/db?a=b"))
                .isEqualTo("jdbc:mysql://h/db?a=b&permitMysqlScheme");
        assertThat(MetadataDatabase.h2File("jdbc:h2:file:/data/meta;AUTO_SERVER=TRUE")).hasToString("/data/meta");
        assertThat(MetadataDatabase.h2File("jdbc:h2:./data/meta")).hasToString("./data/meta");
        assertThat(MetadataDatabase.h2File("jdbc:h2:~/meta")).hasToString(System.getProperty("user.home") + "/meta");
        assertThat(MetadataDatabase.h2File("jdbc:h2:mem:x")).isNull();
        assertThat(MetadataDatabase.h2File("jdbc:h2:tcp://h/~/x")).isNull();
    }

    @Test
    void recordsDoNotPrintSecrets() {
        DataSourceRecord r = new DataSourceRecord("wh", "postgres", "jdbc:postgresql://h/db?password=inurl", "u", "pw1",
                Map.of("privateKeyPassphrase", "pp", "ssl", "true"), 1, 1, Instant.EPOCH, Instant.EPOCH);
        assertThat(r.toString()).doesNotContain("pw1").doesNotContain("inurl").doesNotContain("pp,").contains("ssl=true");
        assertThat(new User(1, "bob", "$2a$secret", Role.ADMIN, false, Instant.EPOCH).toString()).doesNotContain("secret");
    }

    @Test
    void clipping() {
        assertThat(Jdbc.clip(null, 3)).isNull();
        assertThat(Jdbc.clip("abcdef", 3)).isEqualTo("abc");
        assertThat(Jdbc.clip("ab\ud83d\ude00", 3)).isEqualTo("ab");
        assertThat(Jdbc.clip("a\u0000b", 3)).isEqualTo("ab");
    }
}
